"""The benchmarks' patient: how a page's form is read, and the answers given (a calm walk; "no" to the rest)."""

import re

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
QUESTION = re.compile(r'data-question="([a-z0-9_]+)"')
# A patient with lasting low-back pain 6 to 12 months after a fusion: calm answers to every
# page, "no" to every question not named here. A walk that does not reach "check your answers"
# (a changed bank) counts as a failure in the load test and stops benchmarks/in_process.py.
ANSWERS = {
    "surgery_region": "low_back",
    "time_since_surgery": "months_6_12",
    "pain_persisting": "yes",
    "sex_changes": "none",
    "surgery_type": "fusion",
    "surgery_approach": "back",
    "operations_count": "1",
    "devices_medicines": "none",
    "health_conditions": "none",
    "pain_trend": "same",
    "body_changes": "none",
    "peg_pain": "5",
    "peg_enjoyment": "4",
    "peg_activity": "4",
    "phq4_interest": "1",
    "phq4_down": "1",
    "phq4_nervous": "0",
    "phq4_worry": "1",
    "treatments_tried": "physical_therapy",
}
