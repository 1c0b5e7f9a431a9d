-- Where buyers watch a show (the host's event page): what "resend access" sends.
ALTER TABLE shows ADD COLUMN watch_url TEXT;
