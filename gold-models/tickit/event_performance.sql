-- One row per event: its venue ('Unknown venue' when missing), tickets listed and sold, sell-through
-- (null without listed tickets) and gross sales.
WITH listed AS (
    SELECT eventid, CAST(SUM(numtickets) AS BIGINT) AS tickets_listed
    FROM ecomm_listing
    GROUP BY eventid
),
sold AS (
    SELECT eventid, CAST(SUM(qtysold) AS BIGINT) AS tickets_sold, CAST(SUM(pricepaid) AS DECIMAL(18, 2)) AS gross_sales
    FROM ecomm_sales
    GROUP BY eventid
)
SELECT
    e.eventid,
    e.eventname,
    c.catname,
    e.venueid,
    COALESCE(v.venuename, 'Unknown venue') AS venuename,
    v.venuecity,
    v.venuestate,
    COALESCE(l.tickets_listed, CAST(0 AS BIGINT)) AS tickets_listed,
    COALESCE(s.tickets_sold, CAST(0 AS BIGINT)) AS tickets_sold,
    CASE
        WHEN COALESCE(l.tickets_listed, CAST(0 AS BIGINT)) > 0
        THEN CAST(COALESCE(s.tickets_sold, CAST(0 AS BIGINT)) AS DOUBLE) / COALESCE(l.tickets_listed, CAST(0 AS BIGINT))
    END AS sell_through,
    COALESCE(s.gross_sales, CAST(0 AS DECIMAL(18, 2))) AS gross_sales,
    CAST(year(e.starttime) AS INT) AS year,
    CAST(month(e.starttime) AS INT) AS month
FROM saas_event AS e
LEFT JOIN saas_venue AS v ON e.venueid = v.venueid
LEFT JOIN saas_category AS c ON e.catid = c.catid
LEFT JOIN listed AS l ON e.eventid = l.eventid
LEFT JOIN sold AS s ON e.eventid = s.eventid
