"""The ECTS-credit service: `ledger` (append-only entries, what is in force), `awards` (credits
from passed course results), `corrections`, `conversion` (grades across scales by the ECTS
grading tables), `tables`, `progress`, `plans`, `recognition`, `transfer`, `degrees`,
`documents` (signed transcripts and certificates), `elmo`."""
