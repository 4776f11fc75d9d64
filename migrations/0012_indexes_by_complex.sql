-- Lookups by complex that the stage metrics, the digest and the introduction rounds make:
-- without these, each scans every acquaintance and introduction of the city.
CREATE INDEX acquaintances_by_complex ON acquaintances (complex_id, confirmed_at);
CREATE INDEX introductions_by_complex ON introductions (complex_id, created_at);
