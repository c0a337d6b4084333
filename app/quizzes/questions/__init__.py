"""Question types: how each validates its definition, what a learner is shown (never an
answer), how a response is read from a form and graded, and what the right answer is (shown
only when a quiz's review options allow). `types.for_type(qtype)` gives the implementation."""
