-- Sales measures per calendar month of the sale. pricepaid is the total paid for a sale (not a
-- ticket price), so the average ticket price is sum(pricepaid) / sum(qtysold), null without tickets.
SELECT
    CAST(SUM(pricepaid) AS DECIMAL(18, 2)) AS gross_sales,
    CAST(SUM(commission) AS DECIMAL(18, 2)) AS commission,
    CAST(SUM(qtysold) AS BIGINT) AS tickets_sold,
    COUNT(*) AS orders,
    CAST(CASE WHEN SUM(qtysold) <> 0 THEN ROUND(SUM(pricepaid) / SUM(qtysold), 2) END AS DECIMAL(18, 2)) AS avg_ticket_price,
    year,
    month
FROM (
    SELECT pricepaid, commission, qtysold, CAST(year(saletime) AS INT) AS year, CAST(month(saletime) AS INT) AS month
    FROM ecomm_sales
) AS sales
GROUP BY year, month
