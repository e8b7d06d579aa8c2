"""Answering a question: read what it asks (`intent`), pick the route that answers that kind
of question (`routes`), judge whether the evidence answers it (`relevance`), and write the
system's own answer texts (`render`). The words questions are read by are in `lexicon`."""
