#!/usr/bin/env python3
"""Writes a large, plausible petition data set in PostgreSQL COPY text format, for the query benchmarks.

    generate_petitions.py petitioners COUNT             > petitioners.copy
    generate_petitions.py petitions COUNT PETITIONERS UNITS_FILE INTAKE_UNIT_ID [shard=K/N] [bigrams=yes] > petitions.copy
    generate_petitions.py search-words UNITS_FILE    > words.tsv

UNITS_FILE holds one "id<TAB>kind<TAB>depth<TAB>name<TAB>parent id" line per unit (psql -At -F $'\\t').
Petitioner i has the phone 139 followed by i as eight digits, so a load generator can pick existing callers at
random, and lives in a village of the district. Petitions are spread over the last two years, oldest first; about one
in six is still open, its deadline within a month either side of now (some overdue), handled by the petitioner's
village or town or a department. Subjects and 300-500-character contents come from petition_text.py, with
their character bigrams computed as the server computes them (workflow/text_search.cpp).
"""
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from petition_text import TextGenerator, bigrams, query_words  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "秀英华玉兰桂芳珍明强军平刚建国志伟勇洪海波春梅丽敏静红霞云峰涛斌成杰"
CATEGORIES = ["minimum_living", "subsidies", "medical", "pension", "housing", "accessibility", "employment",
              "labour_dispute", "rehabilitation", "education", "legal_aid", "certificate", "care_services", "other"]
TYPES = ["consultation", "help", "help", "suggestion", "complaint", "report"]
OPEN_STATES = ["registered", "accepted", "dispatched", "handling", "replied"]


def copy_text(value):
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def row(*values):
    sys.stdout.write("\t".join(copy_text(v) for v in values) + "\n")


def petitioners(count):
    rng = random.Random(12385)
    for i in range(1, count + 1):
        phone = "139%08d" % i
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        row(i, name, phone, phone, "f")


def places(units):
    """The villages and communities with their towns: [(village id, town id, town name, village name)]."""
    by_id = {u[0]: u for u in units}
    out = []
    for u in units:
        parent = by_id.get(u[4])
        if u[1] == "area" and u[2] == 3 and parent and parent[1] == "area":
            out.append((u[0], parent[0], parent[3], u[3]))
    return out


def read_units(units_file):
    lines = open(units_file, encoding="utf-8").read().split("\n")
    return [(int(f[0]), f[1], int(f[2]), f[3], int(f[4] or 0)) for f in (line.split("\t") for line in lines if line)]


def petitions(count, petitioner_count, units_file, intake_unit, shard=0, shards=1, with_bigrams=False):
    """Rows [shard * count / shards + 1, (shard + 1) * count / shards]: shards written in parallel and loaded in
    order lie in the table oldest first."""
    rng = random.Random(2026)
    units = read_units(units_file)
    villages = places(units)
    departments = [u[0] for u in units if u[1] == "department" and u[2] == 2]
    now = datetime.datetime.now(datetime.timezone.utc)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    # Oldest first, as a live system writes them: rows lie in the table roughly in the order received.
    ages = sorted((rng.randint(0, 2 * 365 * 86400) for _ in range(count)), reverse=True)
    rng = random.Random(2026 + shard)
    text = TextGenerator(seed=2026 + shard)
    for i in range(shard * count // shards + 1, (shard + 1) * count // shards + 1):
        received = now - datetime.timedelta(seconds=ages[i - 1])
        petitioner = rng.randint(1, petitioner_count)
        village, town, town_name, village_name = villages[petitioner % len(villages)]
        subject = text.subject()
        content = text.content((town_name, village_name))
        is_open = rng.random() < 0.16
        state = rng.choice(OPEN_STATES) if is_open else "closed"
        due = warn = None
        if is_open:
            due = now + datetime.timedelta(hours=rng.randint(-30 * 24, 30 * 24))
            warn = due - datetime.timedelta(days=2)
        responsible = None
        if state not in ("registered", "accepted"):
            responsible = rng.choice([village, village, town, rng.choice(departments)])
        code = received.strftime("%Y%m%d") + "-" + "".join(alphabet[(i >> (5 * k)) & 31] for k in range(6))
        terms = "{}"
        if with_bigrams:  # for the old bigram index (search_bigrams, GIN), as a baseline
            terms = "{" + ",".join('"%s"' % t for t in bigrams(subject + "\n" + content)) + "}"
        row(i, code, rng.choice(["hotline", "hotline", "hotline", "web", "walk_in", "letter"]), "petition", 1,
            rng.choice(TYPES), rng.choice(CATEGORIES), "urgent" if rng.random() < 0.03 else "normal", subject, content,
            state, petitioner, intake_unit, responsible, due and due.isoformat(), warn and warn.isoformat(),
            received.isoformat(), received.isoformat(), terms)


def search_words(units_file):
    """The benchmark's search words by tier, one "tier<TAB>word" line each."""
    villages = places(read_units(units_file))
    for tier, words in query_words([(v[2], v[3]) for v in villages]).items():
        for word in words:
            print(tier + "\t" + word)


COLUMNS = {
    "petitioners": "id, name, phone, phone_key, self_reported",
    "petitions": "id, tracking_code, channel, workflow, workflow_version, type, category, urgency, subject, content, "
                 "state, petitioner_id, intake_unit_id, responsible_unit_id, due_at, warn_at, received_at, updated_at, "
                 "search_bigrams",
}

if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "columns":
        print(COLUMNS[sys.argv[2]])
    elif len(sys.argv) == 3 and sys.argv[1] == "petitioners":
        petitioners(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "search-words":
        search_words(sys.argv[2])
    elif len(sys.argv) >= 6 and sys.argv[1] == "petitions":
        options = dict(arg.split("=", 1) for arg in sys.argv[6:])
        shard, shards = map(int, options.get("shard", "0/1").split("/"))
        petitions(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), shard, shards,
                  options.get("bigrams") == "yes")
    else:
        sys.exit(__doc__)
