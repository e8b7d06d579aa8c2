"""Follow-ups that point back at the previous answer, on the booklet: does the follow-up find and
cite the expert the previous answer cited?

    python bench/conversation.py [--generator extractive] [--modes questions,turns,answer_topic]

Each conversation below (written for this bench, in our own words; not from any evaluation set)
opens with a question that names no expert, then asks one or more follow-ups that point back
("Waarom vindt zij dat?", "Wat stellen ze daarvoor voor?", "En wat moet er dan eerst gebeuren?").
The referent of a follow-up is the expert(s) the first answer cites. Per mode, prints for the
follow-ups: how often the first passage is the referent's, how often every citation is the
referent's, and how many are refused. Modes: `questions` (history of earlier questions only, as
before), `turns` (earlier turns with their answers, as the page and the endpoint now pass them),
`answer_topic` (as `turns`, and the opening words of the previous answer added to the earlier
question, which a follow-up without a topic of its own searches with: whether the answer's topic
should feed the search).

Measured 1 December 2026 on 2 cores under load from other processes (seconds are not comparable
between modes: the modes ran one after the other while the load changed):

    extractive:                 questions 0.73 first / 0.77 all cited; turns 1.00 / 1.00; answer_topic 1.00 / 1.00
    llama (qwen2.5 1.5B q4_k_m): questions 0.67 / 0.57; turns 0.90 / 0.90 (21 follow-ups; one first answer cited nobody)

The previous turn adds 134 prompt tokens on average (max 180) to a follow-up's prompt, about
1.5 s of prompt time at ~90 tokens/s.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import replace

from rag.conversation import turn
from rag.embed import load_encoder
from rag.generate import load_generator
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.types import Turn

CONVERSATIONS = [
    ["Welke expert vindt dat de overheid beter bestaande oplossingen kan hergebruiken?", "Waarom vindt zij dat?",
     "En wat moet er dan als eerste gebeuren?"],
    ["Wie wil dat ambtenaren digitaal vaardiger worden?", "Wat stellen ze daarvoor voor?"],
    ["Welke expert wil dat scholen hun leerlingen zelf laten programmeren?", "Waarom vindt hij dat belangrijk?"],
    ["Wie pleit voor een minister voor digitale zaken?", "Waarom vindt hij dat nodig?"],
    ["Wie pleit voor één gezamenlijke data-infrastructuur in de zorg?", "Waarom vindt zij dat nodig?",
     "Wat moet er volgens haar als eerste gebeuren?"],
    ["Wie schrijft over de toeslagenaffaire?", "Wat concludeert hij daaruit?"],
    ["Wie maakt zich zorgen over chatbots bij de overheid?", "Wat raadt hij aan?"],
    ["Wie vindt dat de Tweede Kamer meer grip moet krijgen op IT-projecten?", "Hoe wil hij dat bereiken?"],
    ["Wie wil dat de overheid haar eigen software openbaar maakt?", "Wat levert dat volgens hem op?"],
    ["Welke expert kijkt naar Estland als voorbeeld voor digitale dienstverlening?", "Wat kan Nederland volgens hem daarvan leren?"],
    ["Wie vindt dat de overheid minder afhankelijk moet worden van buitenlandse clouddiensten?", "Waarom vindt hij dat?"],
    ["Wie waarschuwt voor de macht van grote techbedrijven over publieke data?", "Wat moet de overheid volgens haar anders doen?"],
    ["Wie wil dat burgers centraal staan bij de bouw van digitale systemen?", "Hoe willen ze dat bereiken?"],
    ["Welke expert schrijft over digitale identiteit en inloggen bij de overheid?", "En wat vindt hij van DigiD?"],
    ["Wie wil dat aanbestedingen anders worden ingericht?", "Waarom werkt het nu volgens hem niet?"],
    ["Welke expert pleit voor ethische toetsing van algoritmen?", "Wie moet dat volgens hem doen?"],
    ["Wie schrijft over de energietransitie en data?", "Welke doelen noemt hij daarbij?"],
    ["Welke expert wil dat de overheid samenwerkt met andere Europese landen?", "Waarom vindt zij dat verstandig?"],
    ["Wie vindt dat de overheid te veel zelf ontwikkelt?", "Wat zou ze in plaats daarvan moeten doen?"],
    ["Wie schrijft over de kosten van IT in ziekenhuizen?", "En wat stelt zij voor om dat op te lossen?"],
]  # fmt: skip

MARKER = re.compile(r"\[\d+\]|[“”\"]")
ANSWER_TOPIC_WORDS = 12


def _with_answer_topic(t: Turn) -> Turn:
    """The turn with the answer's opening words after its question (what a follow-up would search with)."""
    words = MARKER.sub(" ", t.answer).split()[:ANSWER_TOPIC_WORDS]
    return replace(t, question=f"{t.question} {' '.join(words)}") if t.answer else t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generator", default="extractive")
    ap.add_argument("--modes", default="questions,turns,answer_topic")
    args = ap.parse_args()
    settings = replace(Settings.from_env(), generator=args.generator)
    pipeline = Pipeline(settings, load_encoder(settings), load_generator(settings))
    modes = args.modes.split(",")
    score = {m: {"first": 0, "all_cited": 0, "refused": 0, "n": 0, "seconds": 0.0} for m in modes}
    skipped = 0
    for conv in CONVERSATIONS:
        first = pipeline.ask(conv[0])
        referent = {e for c in first.citations for e in c.chunk.experts}
        if not referent:
            skipped += 1
            print(f"skipped (first answer cites no expert): {conv[0]}")
            continue
        histories = {"questions": [conv[0]], "turns": [turn(first)], "answer_topic": [_with_answer_topic(turn(first))]}
        for follow in conv[1:]:
            for mode in modes:
                history = histories[mode]
                started = time.perf_counter()
                answer = pipeline.ask(follow, history)
                s = score[mode]
                s["seconds"] += time.perf_counter() - started
                s["n"] += 1
                s["first"] += bool(answer.hits and set(answer.hits[0].chunk.experts) & referent)
                s["all_cited"] += bool(answer.citations) and all(set(c.chunk.experts) & referent for c in answer.citations)
                s["refused"] += answer.refused
    print(f"{len(CONVERSATIONS)} conversations, {skipped} skipped; generator {pipeline.generator.name}")
    print(f"{'mode':<14}{'follow-ups':>11}{'first passage':>15}{'all cited':>11}{'refused':>9}{'s/answer':>10}")
    for mode, s in score.items():
        n = s["n"] or 1
        print(
            f"{mode:<14}{s['n']:>11}{s['first'] / n:>15.2f}{s['all_cited'] / n:>11.2f}{s['refused']:>9}{s['seconds'] / n:>10.2f}"
        )


if __name__ == "__main__":
    main()
