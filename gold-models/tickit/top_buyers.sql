-- The 10 buyers who spent the most per sale year, ties broken by the lower buyer id.
-- A buyer missing from users keeps its id with null names.
WITH per_buyer AS (
    SELECT
        year, buyerid,
        CAST(SUM(pricepaid) AS DECIMAL(18, 2)) AS total_spent,
        CAST(SUM(qtysold) AS BIGINT) AS tickets_bought,
        COUNT(*) AS orders
    FROM (SELECT CAST(year(saletime) AS INT) AS year, buyerid, pricepaid, qtysold FROM ecomm_sales) AS sales
    GROUP BY year, buyerid
),
ranked AS (
    SELECT
        year, buyerid, total_spent, tickets_bought, orders,
        ROW_NUMBER() OVER (PARTITION BY year ORDER BY total_spent DESC NULLS LAST, buyerid ASC NULLS LAST) AS rank
    FROM per_buyer
)
SELECT r.rank, r.buyerid, u.username, u.firstname, u.lastname, u.city, u.state, r.total_spent, r.tickets_bought, r.orders, r.year
FROM ranked AS r
LEFT JOIN crm_users AS u ON r.buyerid = u.userid
WHERE r.rank <= 10
