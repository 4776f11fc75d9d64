-- The buttons of a conversation's current question, so that typing a button's label (in
-- either language) counts as pressing it: {"message": <message id>, "labels": {label: data}}.
-- A new step clears it.
ALTER TABLE drafts ADD COLUMN buttons TEXT;
