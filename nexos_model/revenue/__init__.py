"""Own-source revenue: trend fits, driver models (IUSI, water, ornato), levers (reforms),
potential and gap, and the streams that combine them (:mod:`.streams`)."""
