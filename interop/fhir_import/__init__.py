"""Importing a FHIR R4 MedicationRequest (another system's prescription) as a draft a
clinician reviews before it becomes the patient's prescription: the inverse of
interop/fhir_bundle.py.

`parsing` checks the JSON and the resource, `mapping` turns it into draft values and a list
of what it could not read, `services` keeps drafts and starts prescriptions from them."""
