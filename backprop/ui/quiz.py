"""The Step-through's quiz: a question before a stage's numbers, then feedback and a score.

With the Quiz toggle on, a stage that has a question (:func:`backprop.debug.quiz.question`)
shows only the question until it is answered; then the feedback (right or wrong, with the
real number) and the stage. Answers are kept per pass (the trace's fingerprint): a new
sample or network starts the score again.
"""

from __future__ import annotations

import streamlit as st

from ..debug.quiz import Question

TOGGLE_KEY = "stepper_quiz"
ANSWERS_KEY = "stepper_quiz_answers"  # {"pass": fingerprint, "answers": {stage key: choice}}


def toggle(where=st) -> bool:
    return where.toggle(
        "Quiz", key=TOGGLE_KEY,
        help="Predict, then reveal: answer a question about each backward stage's numbers "
        "before they are shown",
    )  # fmt: skip


def _answers(fingerprint: str) -> dict[str, str]:
    kept = st.session_state.get(ANSWERS_KEY)
    if not kept or kept["pass"] != fingerprint:
        kept = st.session_state[ANSWERS_KEY] = {"pass": fingerprint, "answers": {}}
    return kept["answers"]


def _answer(fingerprint: str, q: Question) -> None:
    choice = st.session_state.get(f"quiz_choice_{q.key}")
    if choice is not None:
        _answers(fingerprint)[q.key] = choice
    else:
        st.session_state["quiz_unpicked"] = True


def score(fingerprint: str, questions: dict[str, Question]) -> tuple[int, int]:
    """(right, answered) in this pass."""
    answers = _answers(fingerprint)
    right = sum(questions[k].answer == c for k, c in answers.items() if k in questions)
    return right, len(answers)


def gate(q: Question | None, fingerprint: str, questions: dict[str, Question]) -> bool:
    """True when the stage may be shown: no quiz, no question, or answered (feedback shown);
    else the question is shown and False returned."""
    if q is None or not st.session_state.get(TOGGLE_KEY):
        return True
    answers = _answers(fingerprint)
    if q.key not in answers:
        with st.container(key="quiz-question", border=True):
            st.radio(q.text, q.choices, index=None, key=f"quiz_choice_{q.key}")
            if st.session_state.pop("quiz_unpicked", False):
                st.caption("Pick an answer first, then Reveal.")
            st.button("Reveal", key="quiz_reveal", on_click=_answer, args=(fingerprint, q),
                      icon=":material/visibility:")  # fmt: skip
        return False
    right, said = q.check(answers[q.key])
    got, asked = score(fingerprint, questions)
    text = f"{said} Score this pass: {got} of {asked} right."
    (st.success if right else st.warning)(text, icon=":material/quiz:")
    return True
