-- The 10 sellers with the highest gross sales per sale year, ties broken by the lower seller id.
-- A seller missing from users keeps its id with null names.
WITH per_seller AS (
    SELECT year, sellerid, CAST(SUM(pricepaid) AS DECIMAL(18, 2)) AS gross_sales, CAST(SUM(qtysold) AS BIGINT) AS tickets_sold
    FROM (SELECT CAST(year(saletime) AS INT) AS year, sellerid, pricepaid, qtysold FROM ecomm_sales) AS sales
    GROUP BY year, sellerid
),
ranked AS (
    SELECT
        year, sellerid, gross_sales, tickets_sold,
        ROW_NUMBER() OVER (PARTITION BY year ORDER BY gross_sales DESC NULLS LAST, sellerid ASC NULLS LAST) AS rank
    FROM per_seller
)
SELECT r.rank, r.sellerid, u.username, u.firstname, u.lastname, u.city, u.state, r.gross_sales, r.tickets_sold, r.year
FROM ranked AS r
LEFT JOIN crm_users AS u ON r.sellerid = u.userid
WHERE r.rank <= 10
