#!/usr/bin/env python3
"""Writes a large, plausible petition data set in PostgreSQL COPY text format, for the query benchmarks.

    generate_petitions.py petitioners COUNT             > petitioners.copy
    generate_petitions.py petitions COUNT PETITIONERS UNITS_FILE INTAKE_UNIT_ID > petitions.copy

UNITS_FILE holds one "id<TAB>kind<TAB>depth" line per unit (psql -At -F $'\\t'). Petitioner i has the phone
139 followed by i as eight digits, so a load generator can pick existing callers at random. Petitions are
spread over the last two years, oldest first; about one in six is still open, its deadline within a month either side
of now (some overdue). Content is made of common phrases, with its character bigrams computed as the
server computes them (workflow/text_search.cpp), so that text search finds what it should.
"""
import datetime
import random
import sys

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "秀英华玉兰桂芳珍明强军平刚建国志伟勇洪海波春梅丽敏静红霞云峰涛斌成杰"
CATEGORIES = ["minimum_living", "subsidies", "medical", "pension", "housing", "accessibility", "employment",
              "labour_dispute", "rehabilitation", "education", "legal_aid", "certificate", "care_services", "other"]
TYPES = ["consultation", "help", "help", "suggestion", "complaint", "report"]
SUBJECTS = ["护理补贴未到账", "申请低保", "残疾人证换领", "辅具适配咨询", "盲道被占用", "就业推荐", "康复训练费用",
            "危房改造申请", "医保报销问题", "子女入学", "法律援助申请", "托养服务", "无障碍设施损坏", "养老保险补贴"]
PHRASES = ["本人系肢体残疾二级", "家住村里交通不便", "上月提交的材料至今没有回音", "希望尽快帮助解决",
           "生活补贴已经三个月没有发放", "孩子需要康复训练", "社区门口的坡道被车辆占用", "轮椅出行非常困难",
           "听力残疾需要助听器", "想了解最新的补贴政策", "用人单位拒绝按规定安排岗位", "申请法律援助维护权益",
           "房屋年久失修存在安全隐患", "医疗费用负担很重", "视力残疾出门需要盲杖", "请求上门办理相关手续"]
OPEN_STATES = ["registered", "accepted", "dispatched", "handling", "replied"]
PUNCTUATION = set("，。、；：！？　 ")


def bigrams(text):
    terms, run = set(), []
    for ch in text + "。":
        if ch in PUNCTUATION:
            if len(run) == 1:
                terms.add(run[0])
            terms.update(run[i - 1] + run[i] for i in range(1, len(run)))
            run = []
        else:
            run.append(ch)
    return sorted(terms)


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


def petitions(count, petitioner_count, units_file, intake_unit):
    rng = random.Random(2026)
    units = [line.split("\t") for line in open(units_file, encoding="utf-8").read().split("\n") if line]
    handling_units = [int(u[0]) for u in units if int(u[2]) >= 2]
    now = datetime.datetime.now(datetime.timezone.utc)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    # Oldest first, as a live system writes them: rows lie in the table roughly in the order received.
    ages = sorted((rng.randint(0, 2 * 365 * 86400) for _ in range(count)), reverse=True)
    for i in range(1, count + 1):
        received = now - datetime.timedelta(seconds=ages[i - 1])
        subject = rng.choice(SUBJECTS)
        content = "，".join(rng.sample(PHRASES, 4)) + "。"
        is_open = rng.random() < 0.16
        state = rng.choice(OPEN_STATES) if is_open else "closed"
        due = warn = None
        if is_open:
            due = now + datetime.timedelta(hours=rng.randint(-30 * 24, 30 * 24))
            warn = due - datetime.timedelta(days=2)
        responsible = None if state in ("registered", "accepted") else rng.choice(handling_units)
        code = received.strftime("%Y%m%d") + "-" + "".join(alphabet[(i >> (5 * k)) & 31] for k in range(6))
        terms = "{" + ",".join('"%s"' % t for t in bigrams(subject + "\n" + content)) + "}"
        row(i, code, rng.choice(["hotline", "hotline", "hotline", "web", "walk_in", "letter"]), "petition", 1,
            rng.choice(TYPES), rng.choice(CATEGORIES), "urgent" if rng.random() < 0.03 else "normal", subject, content,
            state, rng.randint(1, petitioner_count), intake_unit, responsible, due and due.isoformat(),
            warn and warn.isoformat(), received.isoformat(), received.isoformat(), terms)


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
    elif len(sys.argv) == 6 and sys.argv[1] == "petitions":
        petitions(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
