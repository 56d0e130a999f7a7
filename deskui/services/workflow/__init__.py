"""Workflow: triage checklists, reclassification, modifications, approvals, feedback, routing."""
