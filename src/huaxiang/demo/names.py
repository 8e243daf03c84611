"""Personal names: realistic Chinese and English names and the ways records get them wrong.

Chinese names are a weighted surname plus one or two given-name characters from pools that
depend on gender and generation (建国 and 秀英 are older than 梓涵). The variants planted in
duplicate records are the ones identity resolution must survive: a similar-looking or
homophone character (王伟 / 王玮), traditional characters (陈伟 / 陳偉), English nicknames
(William / Bill) and spelling variants (Katherine / Catherine).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from huaxiang.demo.strs import S, join, labels

_SURNAMES = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 赵2.3 黄2.2 周1.7 吴1.6 徐1.3 孙1.2 胡1.1 朱1.1 高1.1 林1.0 何1.0 郭1.0 "
    "马1.0 罗0.8 梁0.7 宋0.7 郑0.7 谢0.6 韩0.6 唐0.5 冯0.5 于0.5 董0.5 肖0.4 程0.4 曹0.4 袁0.4 邓0.4 许0.4 "
    "傅0.4 沈0.4 曾0.4 彭0.4 吕0.3 苏0.3 卢0.3 蒋0.3 蔡0.3 贾0.3 丁0.3 魏0.3 薛0.3 叶0.3 余0.3 潘0.3 杜0.3 "
    "戴0.2 夏0.2 钟0.2 汪0.2 田0.2 任0.2 姜0.2 范0.2 方0.2 石0.2 姚0.2 谭0.2 廖0.2 邹0.2 熊0.2 金0.2 陆0.2 "
    "郝0.2 孔0.2 白0.2 崔0.2 康0.2 毛0.2 邱0.2 秦0.2 江0.2 史0.2 顾0.2 侯0.2 邵0.2 孟0.2 龙0.2 万0.2 段0.2 "
    "雷0.2 钱0.2 汤0.2 尹0.2 黎0.2 易0.2 常0.2 武0.2 乔0.2 贺0.2 赖0.2 龚0.2 文0.2 欧阳0.05 司马0.02 上官0.02"
)
_GIVEN = {  # (gender, generation) -> characters; generation 0 born before 1980
    ("M", 0): "建国军华明伟强平勇刚志文海林斌辉峰成德福荣生永春宏涛",
    ("M", 1): "浩宇轩子梓睿博泽晨俊杰涛磊鹏凯鑫然铭宸航逸天嘉乐思远翔昊明伟",
    ("F", 0): "秀英兰芳玉珍桂凤华丽敏静红梅霞燕娟萍琴云春艳",
    ("F", 1): "梓涵欣怡雨萱诗琪佳悦梦思婷颖雪瑶可馨晴妍琳慧倩月晓彤一诺",
}
# similar-looking or homophone characters typed by mistake
_TYPOS = dict(
    pair.split(":") for pair in (
        "伟:玮 玮:伟 静:婧 丽:莉 敏:民 明:铭 铭:明 杰:洁 军:君 磊:垒 涛:滔 勇:永 辉:晖 鹏:朋 华:桦 飞:菲 "
        "婷:亭 慧:惠 颖:莹 欣:馨 馨:欣 怡:宜 佳:嘉 嘉:佳 琳:林 林:琳 燕:艳 艳:燕 红:虹 芳:方 兰:岚 浩:皓 "
        "宇:雨 雨:宇 轩:萱 萱:轩 晨:辰 睿:瑞 博:波 文:雯 志:智 建:健 峰:锋 斌:彬 平:萍 霞:侠 娟:鹃 梅:玫 "
        "琴:勤 云:芸 凯:恺 鑫:新 涵:晗 琪:琦 悦:月 月:悦 梦:孟 瑶:遥 倩:茜 晓:小 秀:琇 英:瑛 珍:真 凤:风 "
        "德:得 福:富 荣:蓉 生:升 俊:骏 泽:则 子:紫 梓:子 航:杭 逸:奕 天:添 思:斯 宏:洪 "
        "王:汪 汪:王 张:章 徐:许 许:徐 杨:阳 刘:柳"
    ).split()
)
_SURNAME_PINYIN = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "欧阳": "ouyang", "司马": "sima", "上官": "shangguan"}

_EN_FIRST = {
    "M": "James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel Matthew Anthony "
         "Mark Steven Paul Andrew Joshua Kevin Brian George Timothy Ryan Jacob Jonathan Eric Justin Brandon Tyler",
    "F": "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Ashley "
         "Emily Michelle Amanda Melissa Deborah Stephanie Rebecca Laura Katherine Emma Olivia Hannah Megan Rachel Lauren",
}
_EN_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Chen Patel Kim Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell"
).split()
_EN_NICKNAMES = dict(p.split(":") for p in (
    "James:Jim Robert:Bob John:Jack Michael:Mike David:Dave William:Bill Richard:Rick Joseph:Joe Thomas:Tom "
    "Christopher:Chris Charles:Charlie Daniel:Dan Matthew:Matt Anthony:Tony Steven:Steve Andrew:Andy Joshua:Josh "
    "Timothy:Tim Jonathan:Jon Benjamin:Ben Patricia:Pat Jennifer:Jen Elizabeth:Liz Barbara:Barb Susan:Sue "
    "Jessica:Jess Katherine:Kate Rebecca:Becky Deborah:Debbie Stephanie:Steph Margaret:Maggie Amanda:Mandy "
    "Samantha:Sam Nancy:Nan Sandra:Sandy Melissa:Mel Michelle:Shelly Emily:Em Olivia:Liv Hannah:Anna"
).split())
_EN_SPELLINGS = dict(p.split(":") for p in (
    "Katherine:Catherine Sarah:Sara Steven:Stephen Jonathan:Johnathan Brian:Bryan Eric:Erik Rachel:Rachael "
    "Megan:Meghan Lauren:Loren Ashley:Ashlee Emily:Emilie Michael:Micheal Jacob:Jakob Tyler:Tylor Hannah:Hanna "
    "Smith:Smyth Johnson:Jonson Brown:Browne Lee:Li Clark:Clarke Allen:Allan Reed:Reid Thompson:Thomson"
).split())


def _weighted(spec: str) -> tuple[list[str], np.ndarray]:
    names = [item.rstrip("0123456789.") for item in spec.split()]
    weights = np.array([float(item[len(n):]) for item, n in zip(spec.split(), names)])
    return names, weights / weights.sum()


def chinese_names(rng: np.random.Generator, female: np.ndarray, born: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(surname, first given char, second given char or '') per person."""
    n = len(female)
    surnames, weights = _weighted(_SURNAMES)
    surname = labels(surnames, rng.choice(len(surnames), n, p=weights))
    young = born >= np.datetime64("1980-01-01").astype(np.int64)
    c1, c2 = np.empty(n, dtype=S), np.empty(n, dtype=S)
    for (gender, generation), pool in _GIVEN.items():
        rows = np.flatnonzero((female == (gender == "F")) & (young == bool(generation)))
        c1[rows] = labels(pool, rng.integers(0, len(pool), len(rows)))
        c2[rows] = labels(pool, rng.integers(0, len(pool), len(rows)))
    c2[rng.random(n) < 0.25] = ""  # single-character given names
    return surname, c1, c2


def english_names(rng: np.random.Generator, female: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) per person."""
    n = len(female)
    first = np.empty(n, dtype=S)
    for gender, pool in _EN_FIRST.items():
        names = pool.split()
        rows = np.flatnonzero(female == (gender == "F"))
        first[rows] = labels(names, rng.integers(0, len(names), len(rows)))
    return first, labels(_EN_LAST, rng.integers(0, len(_EN_LAST), n))


def _mapped(values: np.ndarray, table: dict[str, str]) -> np.ndarray:
    """``table[v]`` per value, '' where the table has none (a hash lookup, not a Python loop)."""
    return pd.Series(values.astype(object)).map(table).fillna("").to_numpy().astype(S)


def typo(surname: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """The full name with one character replaced: the last given character if it has a look-alike."""
    t2, t1, ts = _mapped(c2, _TYPOS), _mapped(c1, _TYPOS), _mapped(surname, _TYPOS)
    use2, use1 = t2 != "", (t2 == "") & (t1 != "")
    return np.where(use2, join(surname, c1, t2), np.where(use1, join(surname, t1, c2), join(np.where(ts != "", ts, surname), c1, c2))).astype(S)


@lru_cache(maxsize=1)
def _traditional_table() -> dict[str, str]:
    """Simplified -> traditional for every character the name pools can produce (opencc, once)."""
    from opencc import OpenCC

    cc = OpenCC("s2t")
    surnames = _weighted(_SURNAMES)[0]
    keys = set("".join(_GIVEN.values())) | set(surnames) | set("".join(_TYPOS.values()))
    return {c: cc.convert(c) for c in sorted(keys)}


def traditional(surname: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """The full name in traditional characters (陈伟 -> 陳偉), character by character."""
    table = _traditional_table()
    parts = [_mapped(p, table) for p in (surname, c1, c2)]
    return join(*[np.where(t != "", t, p).astype(S) for t, p in zip(parts, (surname, c1, c2))])


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[str, str]:
    from pypinyin import lazy_pinyin

    chars = set("".join(_GIVEN.values())) | set(_weighted(_SURNAMES)[0])
    table = {c: "".join(lazy_pinyin(c)) for c in sorted(chars)}
    return table | _SURNAME_PINYIN


def pinyin(values: np.ndarray) -> np.ndarray:
    """Pinyin of name parts, for e-mail addresses (王 -> wang)."""
    return _mapped(values, _pinyin_table())


def nickname(first: np.ndarray) -> np.ndarray:
    """The English counterpart of traditional characters: the nickname (William -> Bill)."""
    nick = _mapped(first, _EN_NICKNAMES)
    return np.where(nick != "", nick, first).astype(S)


def misspelled(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """'First Last' with a common spelling variant of the first or else the last name."""
    f, l_ = _mapped(first, _EN_SPELLINGS), _mapped(last, _EN_SPELLINGS)
    use_first = f != ""
    first_out = np.where(use_first, f, first).astype(S)
    last_out = np.where(use_first, last, np.where(l_ != "", l_, _swap_last_letters(last))).astype(S)
    return join(first_out, " ", last_out)


def _swap_last_letters(word: np.ndarray) -> np.ndarray:
    """A typing slip: Garcia -> Garcai."""
    n = np.strings.str_len(word)
    return join(np.strings.slice(word, 0, n - 2), np.strings.slice(word, n - 1, n), np.strings.slice(word, n - 2, n - 1))
