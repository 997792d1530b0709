"""On PostgreSQL the audit table's trigger refuses every UPDATE and DELETE. Closing an account
needs one exception: emptying the `detail` of events, and nothing else, while the closing
transaction has switched `b12.audit_redaction` on (interop/leaving.py does, around that one
statement). Everything else stays refused, as before."""

from django.db import migrations

ALLOW_REDACTION = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('b12.audit_redaction', true) = 'on'
     AND NEW.detail = '{}'::jsonb
     AND (NEW.id, NEW.actor_id, NEW.action, NEW.patient_id, NEW.object_type, NEW.object_id,
          NEW.at, NEW.address)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.actor_id, OLD.action, OLD.patient_id, OLD.object_type, OLD.object_id,
          OLD.at, OLD.address)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
REFUSE_ALL = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_REDACTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_append_only"),
        ("interop", "0003_prescription_draft"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
