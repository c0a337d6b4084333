"""The assessment part of the seed (quizzes, assignments, rubrics, the MBA jury), loaded by
`app.seed.load_seed` after the courses and sessions."""
