"""Realistic petition text for the benchmarks: 300-500 Chinese characters in sentences and paragraphs, about 300
distinct character bigrams each, words drawn from a Zipf-distributed vocabulary so that some words are in most
petitions, some in one in a thousand and some in one in a million, and place names ("白沙镇双河村") that follow the
petitioner's village. Deterministic for a seed.

The vocabulary is a list ranked by frequency: function words and the hotline's common words first, then 200,000
generated words (two or three characters from a pool of 3,000 Han characters) with real words placed at chosen
ranks, so that the benchmark's "middle" and "rare" words are readable. `query_words()` names the benchmark's
words by tier.
"""
import itertools
import random

FUNCTION_WORDS = ["的", "了", "是", "我", "在", "和", "也", "就", "都", "还", "已经", "没有", "因为", "所以", "但是",
                  "希望", "请求", "现在", "一直", "如果", "他们", "我们", "这个", "那个", "自己", "可以", "需要", "不能",
                  "目前", "今年", "去年", "每月", "多次", "一个", "问题"]
COMMON_WORDS = ["残疾", "补贴", "护理", "低保", "康复", "生活", "申请", "工作人员", "社区", "村委会", "街道办", "发放",
                "材料", "政策", "家里", "孩子", "父母", "老人", "残疾证", "办理", "反映", "解决", "联系", "电话", "答复",
                "领导", "部门", "镇政府", "民政", "残联", "医院", "费用", "报销", "医保", "养老", "保险", "困难", "收入",
                "住房", "就业", "岗位", "工资", "单位", "出行", "轮椅", "肢体", "视力", "听力", "智力", "精神", "等级",
                "评定", "鉴定", "审核", "手续", "上门", "服务", "托养", "辅具", "无障碍", "坡道", "盲道", "电梯",
                "教育", "学校", "入学", "培训", "法律", "援助", "权益", "拖欠", "到账", "银行卡", "身份证", "户口",
                "核实", "调查", "处理", "结果", "满意", "督促", "落实", "规定", "标准", "金额", "元", "月份", "年度"]
# Real words and phrases at chosen ranks: in about one petition in seventy (rank ~1,000), in seven hundred
# (~10,000), in three thousand (~60,000) and in twenty thousand (~200,000).
PLACED_WORDS = {
    400: "重度残疾人护理补贴", 3_000: "居家托养服务", 30_000: "助残志愿者上门",
    900: "助听器", 1_100: "危房改造", 1_300: "盲杖", 1_500: "重度残疾", 1_700: "居家托养",
    9_000: "人工耳蜗", 10_000: "导盲犬", 11_000: "脑瘫儿童", 12_000: "假肢适配", 13_000: "公益性岗位",
    55_000: "自闭症", 60_000: "渐冻症", 65_000: "手语翻译", 70_000: "无障碍改造补助",
    180_000: "成骨不全", 190_000: "读屏软件", 199_000: "电动爬楼机",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "秀英华玉兰桂芳珍明强军平刚建国志伟勇洪海波春梅丽敏静红霞云峰涛斌成杰"
GENERATED_WORDS = 200_000
ZIPF_EXPONENT = 1.0


def _char_pool(rng):
    # 3,000 distinct characters of the CJK Unified Ideographs block's commonly printed part.
    return rng.sample([chr(c) for c in range(0x4E00, 0x9FA6)], 3_000)


class Vocabulary:
    def __init__(self, seed=12385):
        rng = random.Random(seed)
        pool = _char_pool(rng)
        words, seen = [], set(FUNCTION_WORDS + COMMON_WORDS + list(PLACED_WORDS.values()))
        while len(words) < GENERATED_WORDS:
            word = "".join(rng.choice(pool) for _ in range(2 if rng.random() < 0.7 else 3))
            if word not in seen:
                seen.add(word)
                words.append(word)
        ranked = FUNCTION_WORDS + COMMON_WORDS + words
        for rank, word in sorted(PLACED_WORDS.items()):
            ranked.insert(rank, word)
        self.words = ranked
        self.cumulative = list(itertools.accumulate(1.0 / (r + 1) ** ZIPF_EXPONENT for r in range(len(ranked))))

    def draw(self, rng, count):
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def rank(self, word):
        return self.words.index(word)


class TextGenerator:
    """Writes a petition's subject and content; `place` is (town name, village name) or None."""

    def __init__(self, seed=2026):
        self.rng = random.Random(seed)
        self.vocabulary = Vocabulary()

    def person(self):
        rng = self.rng
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")

    def subject(self):
        words = self.vocabulary.draw(self.rng, 3)
        return "关于" + "".join(words[1:]) + words[0] + "的问题"

    def content(self, place):
        rng = self.rng
        target = rng.randint(300, 500)
        parts = []
        if place and rng.random() < 0.85:
            parts.append(f"我是{place[0]}{place[1]}{rng.randint(1, 12)}组村民{self.person()}，")
        length = sum(len(p) for p in parts)
        words = self.vocabulary.draw(rng, 260)
        sentence = 0
        for word in words:
            parts.append(word)
            length += len(word)
            sentence += 1
            if length >= target:
                break
            if sentence >= 4 and rng.random() < 0.22:
                parts.append("。" if rng.random() < 0.4 else "，")
                if rng.random() < 0.08:
                    parts.append("\n")
                sentence = 0
                length += 1
        if rng.random() < 0.3:
            parts.append(f"。联系电话1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}")
        parts.append("。")
        return "".join(parts)


# The benchmark's words and phrases, by how many petitions hold them.
def query_words(places):
    """places: [(town name, village name)] of the data set; returns {tier: [words]}."""
    village_phrases = [town + village for town, village in places[::37]][:3]
    return {
        "common": ["护理", "补贴", "残疾证", "康复"],
        "middle": ["助听器", "危房改造", "人工耳蜗", "导盲犬", "自闭症", "渐冻症"],
        "rare": ["成骨不全", "读屏软件", "电动爬楼机", "手语翻译"],
        # Phrases: a village (one in ~300), common, middle and rare phrases, one whose words are common but never
        # adjacent (it finds nothing).
        "phrase": village_phrases + ["重度残疾人护理补贴", "居家托养服务", "助残志愿者上门", "护理康复补贴"],
    }


def bigrams(text):
    """The character bigrams the server indexes (workflow/text_search.cpp): runs of letters and digits,
    separated by punctuation, spaces and line breaks."""
    terms, run = set(), []
    for ch in text + "。":
        if ch.isalnum():
            run.append(ch.lower() if ch.isascii() else ch)
        else:
            if len(run) == 1:
                terms.add(run[0])
            terms.update(run[i - 1] + run[i] for i in range(1, len(run)))
            run = []
    return sorted(terms)
