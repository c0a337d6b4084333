"""The ECTS-credit service: the append-only credit ledger, programme rules and progress,
learning plans, grading tables and conversion, recognition of prior learning, credit transfer,
double degrees, signed transcripts and certificates, ELMO. Above the gradebook (it consumes
course results), beside assignments and quizzes."""
