-- Sales measures per event category (sales -> event -> category). Sales whose event or category is
-- unknown count under catgroup and catname 'Unknown'.
SELECT
    COALESCE(c.catname, 'Unknown') AS catname,
    CAST(SUM(s.pricepaid) AS DECIMAL(18, 2)) AS gross_sales,
    CAST(SUM(s.commission) AS DECIMAL(18, 2)) AS commission,
    CAST(SUM(s.qtysold) AS BIGINT) AS tickets_sold,
    COUNT(*) AS orders,
    CAST(CASE WHEN SUM(s.qtysold) <> 0 THEN ROUND(SUM(s.pricepaid) / SUM(s.qtysold), 2) END AS DECIMAL(18, 2)) AS avg_ticket_price,
    COALESCE(c.catgroup, 'Unknown') AS catgroup
FROM ecomm_sales AS s
LEFT JOIN saas_event AS e ON s.eventid = e.eventid
LEFT JOIN saas_category AS c ON e.catid = c.catid
GROUP BY COALESCE(c.catgroup, 'Unknown'), COALESCE(c.catname, 'Unknown')
