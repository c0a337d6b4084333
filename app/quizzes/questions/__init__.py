"""Question types: how each validates its definition, what a learner is shown (never an
answer), how a response is read from a form and graded, and what the right answer is (shown
only when a quiz's review options allow). `types.for_type(qtype)` gives the implementation;
importing this package registers every type."""

from app.quizzes.questions import (
    cloze,
    essay,
    matching,
    multichoice,
    numerical,
    shortanswer,
    truefalse,
)

__all__ = ["cloze", "essay", "matching", "multichoice", "numerical", "shortanswer", "truefalse"]
