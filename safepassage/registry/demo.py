"""A synthetic population for the demo province: households, people, two assessment rounds six months
apart with scores correlated the way real households are, and some sudden events that raise alerts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency
from safepassage.audit.services import audit_record
from safepassage.geo.models import Area
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Catalogue, Household, Indicator, Person
from safepassage.registry.services import active_catalogue, assessment_record

# Names. Each person has a name in the script the province's records would hold it in (Thai script for Thai
# citizens and for the hill peoples and Shan registered in Thailand, Burmese script for Burmese migrants, Lao
# script for Lao ones) and its usual Latin spelling. Thai family names are nearly unique to a family, so
# they are built from parts (thousands of them); the hill peoples' clan names are few and shared, as they
# are; Burmese have no family name. Households share one family name.
Part = tuple[str, str]  # (native script, Latin)

GIVEN_F: list[Part] = [
    ("สมศรี", "Somsri"),
    ("มาลี", "Malee"),
    ("นภา", "Napa"),
    ("อรุณี", "Arunee"),
    ("ปราณี", "Pranee"),
    ("ผ่องใส", "Phongsai"),
    ("สุดา", "Suda"),
    ("วันดี", "Wandee"),
    ("กาญจนา", "Kanchana"),
    ("ศิริพร", "Siriporn"),
    ("นิตยา", "Nittaya"),
    ("รัตนา", "Rattana"),
    ("จันทร์เพ็ญ", "Chanpen"),
    ("บัวคำ", "Buakham"),
    ("แสงเดือน", "Saengduean"),
    ("พรทิพย์", "Pornthip"),
    ("อัมพร", "Amporn"),
    ("สุภาพร", "Supaporn"),
    ("วิไลวรรณ", "Wilaiwan"),
    ("ดวงใจ", "Duangjai"),
    ("ทองใบ", "Thongbai"),
    ("ศรีนวล", "Srinuan"),
    ("คำปัน", "Khampan"),
    ("บุษบา", "Butsaba"),
    ("ปิยะนุช", "Piyanut"),
    ("ณัฐธิดา", "Natthida"),
    ("พิมพ์ชนก", "Pimchanok"),
    ("กนกวรรณ", "Kanokwan"),
    ("อรอุมา", "On-uma"),
    ("เพ็ญศรี", "Pensri"),
    ("นงลักษณ์", "Nongluck"),
    ("สายสุนีย์", "Saisunee"),
    ("จิราพร", "Jiraporn"),
    ("ลำดวน", "Lamduan"),
    ("อรทัย", "Orathai"),
    ("ขวัญใจ", "Kwanjai"),
    ("ศศิธร", "Sasithorn"),
    ("ปวีณา", "Paweena"),
    ("ธิดารัตน์", "Thidarat"),
    ("มณีรัตน์", "Maneerat"),
    ("รุ่งนภา", "Rungnapa"),
    ("สุนันทา", "Sunantha"),
    ("อำไพ", "Amphai"),
    ("บัวลอย", "Bualoi"),
    ("จันทร์ฟอง", "Chanfong"),
    ("คำแปง", "Khampaeng"),
    ("พิกุล", "Pikul"),
    ("อุไร", "Urai"),
    ("ยุพิน", "Yupin"),
    ("สมพร", "Somporn"),
    ("อนงค์", "Anong"),
    ("ธนพร", "Thanaporn"),
    ("ชลธิชา", "Chonticha"),
    ("กัญญารัตน์", "Kanyarat"),
    ("อภิญญา", "Apinya"),
    ("พัชราภา", "Patcharapa"),
    ("ณัฐชา", "Natcha"),
    ("เบญจมาศ", "Benjamas"),
    ("ชนิดา", "Chanida"),
    ("ขนิษฐา", "Khanittha"),
    ("อรวรรณ", "Orawan"),
    ("สุพัตรา", "Supattra"),
    ("รัชนี", "Ratchanee"),
    ("ศิริรัตน์", "Sirirat"),
    ("กมลวรรณ", "Kamonwan"),
    ("พรรณี", "Phannee"),
    ("พลอย", "Ploy"),
    ("น้ำฝน", "Namfon"),
]
GIVEN_M: list[Part] = [
    ("สมชาย", "Somchai"),
    ("ประเสริฐ", "Prasert"),
    ("วิชัย", "Wichai"),
    ("อนันต์", "Anan"),
    ("สุชาติ", "Suchat"),
    ("กิตติศักดิ์", "Kittisak"),
    ("ธนพล", "Thanaphon"),
    ("ณัฐพล", "Nattaphon"),
    ("วีระ", "Weera"),
    ("ชัยวัฒน์", "Chaiwat"),
    ("สุรชัย", "Surachai"),
    ("บุญมี", "Boonmee"),
    ("ทองดี", "Thongdee"),
    ("สมบัติ", "Sombat"),
    ("อภิชาติ", "Apichat"),
    ("พงศกร", "Pongsakorn"),
    ("ธีรวัฒน์", "Teerawat"),
    ("ศุภชัย", "Supachai"),
    ("วรวุฒิ", "Worawut"),
    ("นิพนธ์", "Nipon"),
    ("อุดม", "Udom"),
    ("สุรศักดิ์", "Surasak"),
    ("เอกชัย", "Ekkachai"),
    ("ชาตรี", "Chatree"),
    ("มานพ", "Manop"),
    ("บุญเรือง", "Boonruang"),
    ("คำแสง", "Khamsaeng"),
    ("ณรงค์", "Narong"),
    ("ไพโรจน์", "Pairoj"),
    ("วัชระ", "Watchara"),
    ("ยุทธนา", "Yutthana"),
    ("สุริยา", "Suriya"),
    ("ธวัชชัย", "Thawatchai"),
    ("อำนาจ", "Amnat"),
    ("เกษม", "Kasem"),
    ("ทวี", "Thawee"),
    ("สุวิทย์", "Suwit"),
    ("ภานุวัฒน์", "Panuwat"),
    ("กฤษดา", "Kritsada"),
    ("ธนากร", "Thanakorn"),
    ("อนุชา", "Anucha"),
    ("สมพงษ์", "Sompong"),
    ("จิรายุ", "Jirayu"),
    ("ปกรณ์", "Pakorn"),
    ("วิทยา", "Witthaya"),
    ("บุญส่ง", "Boonsong"),
    ("สมหมาย", "Sommai"),
    ("ประสิทธิ์", "Prasit"),
    ("เฉลิม", "Chalerm"),
    ("ธนวัฒน์", "Thanawat"),
    ("ศักดิ์ชัย", "Sakchai"),
    ("พิชิต", "Pichit"),
    ("อดิศักดิ์", "Adisak"),
    ("นพดล", "Noppadon"),
    ("สันติ", "Santi"),
    ("ยงยุทธ", "Yongyut"),
    ("เสกสรร", "Seksan"),
    ("ชาญชัย", "Chanchai"),
    ("ทรงศักดิ์", "Songsak"),
    ("ปิยะพงษ์", "Piyapong"),
    ("ภูวดล", "Phuwadon"),
    ("ณัฐวุฒิ", "Nattawut"),
    ("ศิวกร", "Siwakorn"),
    ("จักรพงษ์", "Jakkrapong"),
    ("อินทร", "Inthorn"),
    ("แก้ว", "Kaew"),
]
# Given names are also made the way many are: a first part and a second (ศิริ + พร, สุร + ชัย).
GIVEN_F_PARTS: tuple[list[Part], list[Part]] = (
    [
        ("ศิริ", "Siri"),
        ("สุ", "Su"),
        ("กนก", "Kanok"),
        ("พิม", "Pim"),
        ("รัตน", "Ratta"),
        ("จันทร์", "Chan"),
        ("ดวง", "Duang"),
        ("อร", "On"),
        ("ปิย", "Piya"),
        ("ณัฐ", "Nat"),
        ("มณี", "Manee"),
        ("แสง", "Saeng"),
        ("วิ", "Wi"),
        ("กัญญ", "Kanya"),
        ("พร", "Porn"),
        ("นิ", "Ni"),
        ("ทิพ", "Thip"),
        ("เพ็ญ", "Pen"),
        ("บุญ", "Boon"),
        ("อัญ", "An"),
    ],
    [
        ("พร", "porn"),
        ("ดา", "da"),
        ("ทิพย์", "thip"),
        ("รัตน์", "rat"),
        ("วรรณ", "wan"),
        ("นภา", "napa"),
        ("ลักษณ์", "luck"),
        ("ธิดา", "thida"),
        ("พรรณ", "phan"),
        ("จันทร์", "chan"),
        ("ใจ", "jai"),
        ("ศรี", "sri"),
        ("ภา", "pa"),
        ("นุช", "nut"),
        ("มาศ", "mat"),
        ("ชนก", "chanok"),
        ("ญา", "ya"),
        ("รินทร์", "rin"),
        ("นิภา", "nipa"),
        ("ฤดี", "ruedee"),
    ],
)
GIVEN_M_PARTS: tuple[list[Part], list[Part]] = (
    [
        ("สม", "Som"),
        ("กิตติ", "Kitti"),
        ("ธนา", "Thana"),
        ("ณัฐ", "Nat"),
        ("ชัย", "Chai"),
        ("สุร", "Sura"),
        ("วีร", "Weera"),
        ("อภิ", "Api"),
        ("พงศ์", "Pong"),
        ("ธีร", "Teera"),
        ("ศุภ", "Supa"),
        ("วร", "Wora"),
        ("อนุ", "Anu"),
        ("เอก", "Ek"),
        ("ปิย", "Piya"),
        ("ภาณุ", "Panu"),
        ("จิร", "Jira"),
        ("ทรง", "Song"),
        ("บุญ", "Boon"),
        ("ชาญ", "Chan"),
    ],
    [
        ("ชาย", "chai"),
        ("ศักดิ์", "sak"),
        ("พล", "phon"),
        ("วัฒน์", "wat"),
        ("ชัย", "chai"),
        ("พงษ์", "pong"),
        ("เดช", "det"),
        ("ยุทธ", "yut"),
        ("กร", "korn"),
        ("นนท์", "non"),
        ("ภัทร", "pat"),
        ("วุฒิ", "wut"),
        ("เกียรติ", "kiat"),
        ("สิทธิ์", "sit"),
        ("ธร", "thorn"),
        ("เทพ", "thep"),
        ("ชาติ", "chat"),
        ("ทวี", "thawee"),
    ],
)
# Some common Northern Thai family names; most families' names are made from the parts below.
FAMILY: list[Part] = [
    ("แสงคำ", "Saengkham"),
    ("ใจดี", "Jaidee"),
    ("มณีวงศ์", "Maneewong"),
    ("ศรีสุข", "Srisuk"),
    ("ปัญญา", "Panya"),
    ("บุญมา", "Boonma"),
    ("อินตา", "Inta"),
    ("ยาวิชัย", "Yawichai"),
    ("ศรีวิชัย", "Sriwichai"),
    ("กันทะวงศ์", "Kanthawong"),
    ("ปินตา", "Pinta"),
    ("คำมา", "Khamma"),
    ("ใจมา", "Jaima"),
    ("ธิวงศ์", "Thiwong"),
]
FAMILY_PARTS: tuple[list[Part], list[Part], list[Part]] = (
    [
        ("แสง", "Saeng"),
        ("คำ", "Kham"),
        ("ใจ", "Jai"),
        ("มณี", "Manee"),
        ("ศรี", "Sri"),
        ("สุข", "Suk"),
        ("บุญ", "Boon"),
        ("อิน", "In"),
        ("ปัญญา", "Panya"),
        ("ทอง", "Thong"),
        ("แก้ว", "Kaew"),
        ("สุวรรณ", "Suwan"),
        ("ชัย", "Chai"),
        ("จันทร์", "Chan"),
        ("ไชย", "Chai"),
        ("เรือง", "Rueang"),
        ("ดวง", "Duang"),
        ("ศิริ", "Siri"),
        ("ธรรม", "Tham"),
        ("ทิพย์", "Thip"),
        ("บัว", "Bua"),
        ("ปิน", "Pin"),
        ("กันทะ", "Kantha"),
        ("ยา", "Ya"),
        ("สม", "Som"),
        ("วงศ์", "Wong"),
        ("เจริญ", "Charoen"),
        ("พรหม", "Phrom"),
        ("สิทธิ", "Sitthi"),
        ("รัตน", "Rattana"),
        ("อุ่น", "Un"),
        ("นันทะ", "Nantha"),
        ("จินะ", "Jina"),
        ("เขียว", "Khiao"),
        ("เงิน", "Ngoen"),
        ("คง", "Khong"),
        ("มูล", "Mun"),
        ("ธิ", "Thi"),
        ("ต๊ะ", "Ta"),
        ("สาย", "Sai"),
        ("เพชร", "Phet"),
        ("ฟู", "Fu"),
        ("อุด", "Ut"),
        ("ปวง", "Puang"),
        ("หล้า", "La"),
    ],
    [
        ("วิ", "wi"),
        ("ชัย", "chai"),
        ("มา", "ma"),
        ("ทะ", "tha"),
        ("นา", "na"),
        ("ปัน", "pan"),
        ("สุ", "su"),
        ("ยะ", "ya"),
        ("วัฒ", "wat"),
        ("ประ", "pra"),
        ("ตา", "ta"),
        ("ดี", "dee"),
        ("คำ", "kham"),
        ("อิน", "in"),
        ("มณี", "manee"),
    ],
    [
        ("ดี", "dee"),
        ("คำ", "kham"),
        ("วงศ์", "wong"),
        ("มา", "ma"),
        ("ตา", "ta"),
        ("ใจ", "jai"),
        ("สุข", "suk"),
        ("ชัย", "chai"),
        ("วิชัย", "wichai"),
        ("ปัญญา", "panya"),
        ("แก้ว", "kaew"),
        ("ทอง", "thong"),
        ("ศรี", "sri"),
        ("เรือง", "rueang"),
        ("ยศ", "yot"),
        ("สกุล", "sakul"),
        ("กุล", "kul"),
        ("พันธ์", "phan"),
        ("ศักดิ์", "sak"),
        ("รักษ์", "rak"),
        ("วัฒน์", "wat"),
        ("เจริญ", "charoen"),
        ("บุญ", "boon"),
        ("อินทร์", "in"),
        ("สาร", "san"),
        ("นาค", "nak"),
        ("ภักดี", "pakdee"),
        ("ธรรม", "tham"),
        ("เดช", "det"),
        ("ฤทธิ์", "rit"),
        ("สิงห์", "sing"),
        ("มงคล", "mongkol"),
        ("ทิพย์", "thip"),
        ("วรรณ", "wan"),
        ("ประเสริฐ", "prasert"),
        ("จันทร์", "chan"),
        ("เมือง", "mueang"),
    ],
)
# Family names the hill peoples were given in Thailand, often from the forest and the hills.
HILL_FAMILY_PARTS: tuple[list[Part], list[Part]] = (
    [
        ("ไพร", "Phrai"),
        ("พนา", "Phana"),
        ("คีรี", "Khiri"),
        ("ดอย", "Doi"),
        ("วนา", "Wana"),
        ("ธารา", "Thara"),
        ("ภู", "Phu"),
        ("ศิลา", "Sila"),
        ("ห้วย", "Huai"),
        ("ผา", "Pha"),
        ("พฤกษ์", "Phruek"),
        ("บรรพต", "Banphot"),
        ("นที", "Nathi"),
        ("เมฆ", "Mek"),
        ("หมอก", "Mok"),
    ],
    [
        ("วัน", "wan"),
        ("ทอง", "thong"),
        ("แก้ว", "kaew"),
        ("ไพร", "phrai"),
        ("สันติ", "santi"),
        ("วงศ์", "wong"),
        ("กุล", "kul"),
        ("เขต", "khet"),
        ("ธร", "thorn"),
        ("ศักดิ์", "sak"),
        ("ทิพย์", "thip"),
        ("สุข", "suk"),
        ("งาม", "ngam"),
        ("รักษ์", "rak"),
        ("ใส", "sai"),
        ("สวัสดิ์", "sawat"),
        ("เจริญ", "charoen"),
        ("นคร", "nakhon"),
        ("ดี", "dee"),
        ("พิทักษ์", "phithak"),
    ],
)
SHAN_PREFIX = {"female": ("นาง", "Nang"), "male": ("จาย", "Sai")}
SHAN_PARTS: list[Part] = [
    ("แสง", "Saeng"),
    ("คำ", "Kham"),
    ("หอม", "Hom"),
    ("ลู", "Lu"),
    ("ทุน", "Tun"),
    ("หมอก", "Mok"),
    ("อ่อง", "Ong"),
    ("เมือง", "Mueang"),
    ("ส่วย", "Suay"),
    ("ปัน", "Pan"),
    ("ยอด", "Yot"),
    ("จิ่ง", "Jing"),
    ("นวล", "Nuan"),
    ("เงิน", "Ngoen"),
    ("ฟ้า", "Fa"),
    ("วัน", "Wan"),
    ("ใส", "Sai"),
    ("อู", "U"),
    ("จ๋าม", "Cham"),
    ("ป๋อง", "Pong"),
    ("หาญ", "Han"),
    ("ขิ่น", "Khin"),
    ("อิ่น", "In"),
    ("ก๋อง", "Kong"),
    ("ออน", "On"),
    ("นุ่ม", "Num"),
    ("ลาว", "Lao"),
    ("เฮือง", "Hueang"),
]
KAREN_PREFIX = {"female": ("หน่อ", "Naw"), "male": ("ซอ", "Saw")}
KAREN_PARTS: list[Part] = [
    ("เอ", "E"),
    ("แฮ", "Hae"),
    ("ดา", "Da"),
    ("พอ", "Pho"),
    ("มู", "Mu"),
    ("ทู", "Thu"),
    ("ปอ", "Po"),
    ("นี", "Ni"),
    ("เบ", "Be"),
    ("โพ", "Pho"),
    ("เกอ", "Koe"),
    ("ลา", "La"),
    ("วา", "Wa"),
    ("แปะ", "Pae"),
    ("ดี", "Di"),
    ("เมาะ", "Mo"),
    ("เล", "Le"),
    ("ทอ", "Tho"),
    ("กุ", "Ku"),
    ("เคอ", "Khoe"),
    ("ซา", "Sa"),
    ("บือ", "Bue"),
    ("ลือ", "Lue"),
    ("โย", "Yo"),
    ("เปอะ", "Poe"),
    ("ชิ", "Chi"),
    ("เส่ง", "Seng"),
]
LAHU_PREFIX = {"female": ("นะ", "Na"), "male": ("จะ", "Cha")}
LAHU_PARTS: list[Part] = [
    ("แฮ", "hae"),
    ("ลอ", "lo"),
    ("ทอ", "tho"),
    ("ก่อ", "ko"),
    ("หา", "ha"),
    ("ปู", "pu"),
    ("อื่อ", "ue"),
    ("โบ", "bo"),
    ("ยี", "yi"),
    ("ส่อ", "so"),
    ("แล", "lae"),
    ("ปี", "pi"),
    ("เต", "te"),
    ("หมื่อ", "mue"),
    ("แส", "sae"),
    ("ยะ", "ya"),
    ("คะ", "kha"),
    ("หลู่", "lu"),
    ("จอ", "jo"),
    ("ป่า", "pa"),
    ("เหย่", "ye"),
    ("พอ", "pho"),
]
AKHA_PARTS: list[Part] = [
    ("อา", "A"),
    ("มี", "Mi"),
    ("ปอ", "Po"),
    ("ยี่", "Yi"),
    ("เชอ", "Choe"),
    ("มะ", "Ma"),
    ("ลา", "La"),
    ("จู", "Ju"),
    ("เบ", "Be"),
    ("หมื่อ", "Mue"),
    ("แล", "Lae"),
    ("ซอ", "So"),
    ("หย่า", "Ya"),
    ("ปา", "Pa"),
    ("โย", "Yo"),
    ("ดอ", "Do"),
    ("เยอะ", "Yoe"),
    ("กู่", "Ku"),
    ("ปู", "Pu"),
    ("บุ", "Bu"),
    ("จ่า", "Cha"),
    ("หล่อ", "Lo"),
    ("เซ", "Se"),
]
AKHA_FAMILY: list[Part] = [
    ("เชอมือ", "Choemue"),
    ("มาเยอะ", "Mayoe"),
    ("แลเชอะ", "Laecho"),
    ("เยส่อ", "Yeso"),
    ("หมื่อแล", "Muelae"),
    ("อาจ่า", "Acha"),
    ("มาแยะ", "Maye"),
    ("ปอยี่", "Poyi"),
    ("จูปอ", "Jupo"),
    ("อายี่", "Ayi"),
    ("เบียงแล", "Bianglae"),
    ("หมื่อโป", "Muepo"),
    ("ซอเซ", "Sose"),
    ("อาซอ", "Aso"),
]
HMONG_CLANS: list[Part] = [
    ("ย่าง", "yang"),
    ("ลี", "lee"),
    ("ว่าง", "wang"),
    ("ท่อ", "thao"),
    ("มัว", "moua"),
    ("ห่าง", "hang"),
    ("เฮ่อ", "her"),
    ("โซ้ง", "xiong"),
    ("ลอ", "lor"),
    ("กือ", "kue"),
    ("จาง", "chang"),
    ("เล่า", "lao"),
    ("ผ่า", "pha"),
    ("หาง", "khang"),
    ("วือ", "vue"),
]
HMONG_GIVEN = {
    "male": [
        ("ตู้", "Tou"),
        ("ชัว", "Chue"),
        ("ไซ", "Xai"),
        ("เปา", "Pao"),
        ("กู้", "Kou"),
        ("เหนง", "Neng"),
        ("ฟู", "Fue"),
        ("ต่ง", "Tong"),
        ("ลือ", "Lue"),
        ("เจ๋อ", "Cher"),
        ("เจ้า", "Chao"),
        ("เส่ง", "Seng"),
        ("หล่ง", "Long"),
        ("เหนี่ย", "Nhia"),
        ("เยีย", "Yia"),
        ("วาง", "Vang"),
        ("จื่อ", "Chu"),
    ],
    "female": [
        ("นู", "Nou"),
        ("หมัย", "Mai"),
        ("ป้าง", "Pang"),
        ("ก้า", "Ka"),
        ("เย่อ", "Yer"),
        ("ซัว", "Zoua"),
        ("เด่อ", "Der"),
        ("ปลี", "Blia"),
        ("ม้า", "Ma"),
        ("เหลีย", "Lia"),
        ("ซี", "Xee"),
        ("ไล", "Lai"),
        ("เปีย", "Pia"),
        ("จัว", "Choua"),
        ("ยัว", "Youa"),
    ],
}
LISU_CLANS: list[Part] = [
    ("แซ่หมี่", "Saemi"),
    ("แซ่ลี", "Saelee"),
    ("แซ่ย่าง", "Saeyang"),
    ("แซ่ว่าง", "Saewang"),
    ("แซ่เบียง", "Saebiang"),
    ("แซ่ซือ", "Saesue"),
    ("แซ่ฟ้า", "Saefa"),
    ("เลายี่ปา", "Laoyipa"),
    ("ลีจา", "Lija"),
    ("เลาหมี่", "Laomi"),
]
LISU_BIRTH_ORDER = {
    "male": [("อาผ่า", "Apha"), ("อาฟู", "Afu"), ("อาซา", "Asa"), ("อาสือ", "Asue"), ("อาวู", "Awu")],
    "female": [("อาหมี่", "Ami"), ("อาเจ", "Aje"), ("อาหน่า", "Ana"), ("อาเหม่ย", "Amei"), ("อาซือ", "Asue")],
}
LISU_PARTS: list[Part] = [
    ("จ่า", "ja"),
    ("ปา", "pa"),
    ("เล", "le"),
    ("ซอ", "so"),
    ("มา", "ma"),
    ("เหมย", "mei"),
    ("ลี", "li"),
    ("ฟู", "fu"),
    ("ชิ", "chi"),
    ("ยี", "yi"),
    ("เก้า", "kao"),
    ("ลู", "lu"),
]
BURMESE_PARTS = {
    "male": [
        ("အောင်", "Aung"),
        ("ကို", "Ko"),
        ("ဇော်", "Zaw"),
        ("ထွန်း", "Tun"),
        ("ဝင်း", "Win"),
        ("သန့်", "Thant"),
        ("စိုး", "Soe"),
        ("ကျော်", "Kyaw"),
        ("မင်း", "Min"),
        ("နိုင်", "Naing"),
        ("လှ", "Hla"),
        ("မြင့်", "Myint"),
        ("ထက်", "Htet"),
        ("လင်း", "Lin"),
        ("ဖြိုး", "Phyo"),
        ("ပိုင်", "Paing"),
        ("ဟိန်း", "Hein"),
        ("သူ", "Thu"),
        ("ရဲ", "Ye"),
        ("ဇင်", "Zin"),
        ("မိုး", "Moe"),
        ("သက်", "Thet"),
        ("နေ", "Nay"),
        ("တင်", "Tin"),
        ("မောင်", "Maung"),
        ("ခိုင်", "Khaing"),
    ],
    "female": [
        ("ခင်", "Khin"),
        ("မြ", "Mya"),
        ("သီ", "Thi"),
        ("နှင်း", "Hnin"),
        ("ဝေ", "Wai"),
        ("ဆု", "Su"),
        ("ချို", "Cho"),
        ("ဖြူ", "Phyu"),
        ("စန္ဒာ", "Sanda"),
        ("ယု", "Yu"),
        ("မာ", "Mar"),
        ("ရည်", "Yi"),
        ("ညို", "Nyo"),
        ("အေး", "Aye"),
        ("ကြည်", "Kyi"),
        ("နွယ်", "Nwe"),
        ("မြတ်", "Myat"),
        ("သဲ", "Thae"),
        ("ဇင်", "Zin"),
        ("မိုး", "Moe"),
        ("သန္တာ", "Thandar"),
        ("မေ", "May"),
        ("ပွင့်", "Pwint"),
        ("လဲ့", "Lae"),
    ],
}
LAO_GIVEN_PARTS: list[Part] = [
    ("ສົມ", "Som"),
    ("ບຸນ", "Boun"),
    ("ແກ້ວ", "Keo"),
    ("ທອງ", "Thong"),
    ("ຄຳ", "Kham"),
    ("ສີ", "Si"),
    ("ພອນ", "Phone"),
    ("ຈັນ", "Chanh"),
    ("ວັນ", "Vanh"),
    ("ແສງ", "Seng"),
    ("ສຸກ", "Souk"),
    ("ມະນີ", "Many"),
    ("ໄຊ", "Xay"),
    ("ພູ", "Phou"),
    ("ດາ", "Da"),
    ("ມີ", "My"),
    ("ລາ", "La"),
    ("ວົງ", "Vong"),
    ("ສະຫວັນ", "Savanh"),
    ("ນ້ອຍ", "Noy"),
    ("ເພັງ", "Pheng"),
    ("ບົວ", "Boua"),
    ("ດວງ", "Douang"),
    ("ອິນ", "In"),
]
LAO_FAMILY_PARTS: tuple[list[Part], list[Part]] = (
    [
        ("ພົມ", "Phom"),
        ("ສີ", "Si"),
        ("ວົງ", "Vong"),
        ("ແກ້ວ", "Keo"),
        ("ສຸລິ", "Souli"),
        ("ໄຊຍະ", "Xaya"),
        ("ອິນທະ", "Intha"),
        ("ບຸນ", "Boun"),
        ("ດວງ", "Douang"),
        ("ພອນ", "Phon"),
        ("ຈັນທະ", "Chantha"),
        ("ສຸວັນ", "Souvan"),
        ("ທອງ", "Thong"),
        ("ຄຳ", "Kham"),
        ("ພິລາ", "Phila"),
        ("ສີສະ", "Sisa"),
    ],
    [
        ("ວົງ", "vong"),
        ("ມະນີ", "many"),
        ("ສະຫວັນ", "savanh"),
        ("ລາ", "la"),
        ("ຈັນ", "chanh"),
        ("ໄຊ", "xay"),
        ("ພອນ", "phone"),
        ("ສຸກ", "souk"),
        ("ວິໄລ", "vilay"),
        ("ມາລາ", "mala"),
        ("ທອງ", "thong"),
        ("ວົງສາ", "vongsa"),
        ("ວາດ", "vath"),
        ("ພູມ", "phoum"),
        ("ສີ", "sy"),
    ],
)

# Who lives in the province's villages: the mix of a valley district, which `peoples` changes for the towns
# (more Burmese and Shan migrants), the hills (Karen, Hmong) and the north (Shan, Lahu, Akha, Lisu). Over the
# demo's 25 districts that makes a northern border province: about 60 % Northern Thai, 10 % Shan, 9 % Karen,
# 5 % Lahu, 5 % Burmese, 4 % Hmong, 3 % Akha, 2.5 % Lisu and 1.5 % Lao.
PEOPLES = {
    "thai": 0.66,
    "shan": 0.08,
    "karen": 0.07,
    "lahu": 0.047,
    "hmong": 0.041,
    "akha": 0.028,
    "lisu": 0.023,
    "burmese": 0.036,
    "lao": 0.015,
}
TOWN_DISTRICTS = {"5001", "5007", "5013", "5014", "5015", "5019"}
HILL_DISTRICTS = {"5002", "5003", "5008", "5016", "5017", "5018", "5022", "5025"}
NORTH_DISTRICTS = {"5004", "5006", "5009", "5010", "5011", "5020", "5021"}
HILL_PEOPLES = ("karen", "lahu", "hmong", "akha", "lisu")
# Of each people, the share with a Thai given name (children especially are given one).
THAI_GIVEN = {"shan": 0.2, "karen": 0.3, "lahu": 0.3, "hmong": 0.35, "akha": 0.25, "lisu": 0.4}


@dataclass(frozen=True)
class Name:
    """A person's name in the script their record holds it in, and in Latin letters."""

    given: str
    family: str
    given_latin: str
    family_latin: str

    @property
    def latin(self) -> str:
        return f"{self.given_latin} {self.family_latin}".strip()


def peoples(district_code: str = "") -> dict[str, float]:
    """The shares of each people in a district (the province's mix where the district is not known)."""
    shares = dict(PEOPLES)
    if district_code in TOWN_DISTRICTS:
        shares.update(burmese=shares["burmese"] * 2.5, shan=shares["shan"] * 1.5, lao=shares["lao"] * 1.5)
        shares.update({p: shares[p] * 0.3 for p in HILL_PEOPLES})
    elif district_code in HILL_DISTRICTS:
        shares.update(karen=shares["karen"] * 3, hmong=shares["hmong"] * 1.5)
    elif district_code in NORTH_DISTRICTS:
        shares.update(shan=shares["shan"] * 2, burmese=shares["burmese"] * 1.5, hmong=shares["hmong"] * 1.5)
        shares.update({p: shares[p] * 2.5 for p in ("lahu", "akha", "lisu")})
    return shares


def people_of(rng: random.Random, district_code: str = "") -> str:
    """A people drawn from a district's mix."""
    shares = peoples(district_code)
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _join(parts: list[Part], sep: str = "") -> Part:
    """Parts written together (in Latin letters one word, or words when `sep` is a space)."""
    native = "".join(p[0] for p in parts)
    latin = sep.join(p[1] if sep or n == 0 else p[1].lower() for n, p in enumerate(parts))
    return native, latin[:1].upper() + latin[1:]


def _thai_given(rng: random.Random, sex: str) -> Part:
    female = sex == "female" or (sex not in ("female", "male") and rng.random() < 0.5)
    if rng.random() < 0.5:
        return rng.choice(GIVEN_F if female else GIVEN_M)
    first, second = GIVEN_F_PARTS if female else GIVEN_M_PARTS
    return _join([rng.choice(first), rng.choice(second)])


def _thai_family(rng: random.Random) -> Part:
    if rng.random() < 0.04:
        return rng.choice(FAMILY)
    first, middle, last = FAMILY_PARTS
    parts = [rng.choice(first)]
    if rng.random() < 0.75:
        part = rng.choice(middle)
        if not parts[0][0].endswith(part[0]):  # not กันทะ + ทะ
            parts.append(part)
    parts.append(rng.choice(last))
    return _join(parts)


def _hill_family(rng: random.Random) -> Part:
    first, last = HILL_FAMILY_PARTS
    parts = [rng.choice(first)]
    if rng.random() < 0.5:
        parts.append(rng.choice(FAMILY_PARTS[1]))
    parts.append(rng.choice(last))
    return _join(parts)


def family_name(rng: random.Random, people: str) -> Part:
    """A family's name; ("", "") for people who have none (Burmese; Shan without Thai papers)."""
    if people == "thai":
        return _thai_family(rng)
    if people == "shan":
        return _thai_family(rng) if rng.random() < 0.6 else ("", "")
    if people == "karen":
        return _hill_family(rng)
    if people == "lahu":
        if rng.random() < 0.6:
            return _join([LAHU_PREFIX["male"], rng.choice(LAHU_PARTS)])
        return _hill_family(rng)
    if people == "akha":
        return rng.choice(AKHA_FAMILY) if rng.random() < 0.7 else _hill_family(rng)
    if people == "hmong":
        return _join([("แซ่", "Sae"), rng.choice(HMONG_CLANS)]) if rng.random() < 0.75 else _hill_family(rng)
    if people == "lisu":
        return rng.choice(LISU_CLANS) if rng.random() < 0.7 else _hill_family(rng)
    if people == "lao":
        first, last = LAO_FAMILY_PARTS
        return _join([rng.choice(first), rng.choice(last)])
    return "", ""


def given_name(rng: random.Random, people: str, sex: str, *, born_here: bool = True) -> Part:
    """A given name of one of the province's peoples (some of whom, born in Thailand, have a Thai one)."""
    key = sex if sex in ("female", "male") else rng.choice(["female", "male"])
    if people == "thai" or (born_here and rng.random() < THAI_GIVEN.get(people, 0.0)):
        return _thai_given(rng, key)
    if people == "shan":
        parts = rng.sample(SHAN_PARTS, rng.choice([1, 2, 2]))
        return SHAN_PREFIX[key][0] + "".join(p[0] for p in parts), " ".join(
            [SHAN_PREFIX[key][1], *(p[1] for p in parts)]
        )
    if people == "karen":
        if rng.random() < 0.5:
            return _join([KAREN_PREFIX[key], rng.choice(KAREN_PARTS)], " ")
        return _join(rng.sample(KAREN_PARTS, 2))
    if people == "lahu":
        return _join([LAHU_PREFIX[key], *rng.sample(LAHU_PARTS, rng.choice([1, 1, 2]))])
    if people == "akha":
        return _join(rng.sample(AKHA_PARTS, 2))
    if people == "hmong":
        first = rng.choice(HMONG_GIVEN[key])
        if rng.random() < 0.4:
            second = rng.choice(HMONG_GIVEN[key])
            return first[0] + second[0], f"{first[1]} {second[1]}"
        return first
    if people == "lisu":
        order = rng.choice(LISU_BIRTH_ORDER[key])
        return _join([order, rng.choice(LISU_PARTS)]) if rng.random() < 0.6 else order
    if people == "burmese":
        parts = BURMESE_PARTS[key]
        chosen = rng.sample(parts, rng.choice([2, 2, 3, 3]))
        if rng.random() < 0.12:
            chosen = [chosen[0], chosen[1], chosen[1]]  # "Aung Ko Ko"
        return "".join(p[0] for p in chosen), " ".join(p[1] for p in chosen)
    if people == "lao":
        return _join(rng.sample(LAO_GIVEN_PARTS, rng.choice([1, 2, 2, 2])))
    return _thai_given(rng, key)


def person_name(
    rng: random.Random, sex: str, *, people: str = "", district_code: str = "", nationality: str = ""
) -> Name:
    """A name for someone on their own (a case, a migrant, a child found at work): of `people`, or of one
    drawn for the nationality (Myanmar: Burmese, Shan or Karen; Laos: Lao) or the district's mix."""
    if not people:
        if nationality == "MM":
            people = rng.choices(["burmese", "shan", "karen"], weights=[6, 3, 1])[0]
        elif nationality == "LA":
            people = "lao"
        else:
            people = people_of(rng, district_code)
    born_here = nationality in ("", "TH")
    given = given_name(rng, people, sex, born_here=born_here)
    # Someone from across the border has no Thai family name; Lao have family names of their own.
    family = family_name(rng, people) if born_here or people == "lao" else ("", "")
    return Name(given[0], family[0], given[1], family[1])


def _level(value: float) -> int:
    return 1 if value < 0.4 else (2 if value < 0.66 else 3)


def _age_score(age: int) -> int:
    if 15 <= age <= 18:
        return 3
    if 10 <= age <= 14 or 19 <= age <= 25:
        return 2
    return 1


def _scores(
    rng: random.Random,
    indicators: list[Indicator],
    household: dict[str, int],
    vulnerability: float,
    age: int,
    sex: str,
    shock: bool,
) -> dict[str, int]:
    scores: dict[str, int] = {}
    for indicator in indicators:
        code = indicator.code
        if indicator.level == "H":
            value = household[code]
        elif code == "SOC-AGE":
            value = _age_score(age)
        elif code == "SOC-SEX":
            value = 1 if sex == "male" else 2
        elif code in ("SOC-WORK", "MIG-ALONE", "EDU-SCHOOL") and age < 6:
            value = 1
        else:
            value = _level(vulnerability + rng.gauss(0, 0.15))
            if shock and code == "MIG-RECRUIT" and rng.random() < 0.3:
                value = 3
        if rng.random() < 0.03:
            continue  # not known
        scores[code] = value
    return scores


def _household_scores(
    rng: random.Random, indicators: list[Indicator], vulnerability: float, shock: bool
) -> dict[str, int]:
    scores = {i.code: _level(vulnerability + rng.gauss(0, 0.12)) for i in indicators if i.level == "H"}
    if shock:
        for code in rng.sample(["BMN-SHOCK", "BMN-DEBT", "BMN-LAND", "SOC-VIOLENCE", "HLT-DEATH"], 2):
            if code in scores:
                scores[code] = 3
    return scores


def _followup(
    rng: random.Random, before: dict[str, int], redrawn: dict[str, int], shock: bool
) -> dict[str, int]:
    """The second round: mostly the same answers, one in twenty redrawn; a shock's answers always show."""
    after = dict(before)
    for code, value in redrawn.items():
        if rng.random() < 0.05 or (shock and value == 3):
            after[code] = value
    return after


def _household_name(
    rng: random.Random,
    village: Area,
    village_people: dict[int, str],
    village_families: dict[tuple[int, str], list[Part]],
) -> tuple[str, Part]:
    """A household's people and family name. A village is mostly of one people (a Karen village, a Lahu
    village, a Northern Thai one), with some families of others; some families are related to another of
    the village and share its name."""
    district = village.code[:4]
    if village.pk not in village_people:
        village_people[village.pk] = people_of(rng, district)
    folk = village_people[village.pk] if rng.random() < 0.75 else people_of(rng, district)
    known = village_families.setdefault((village.pk, folk), [])
    if known and rng.random() < 0.2:
        return folk, rng.choice(known)
    family = family_name(rng, folk)
    if family[0]:
        known.append(family)
    return folk, family


def _owner(village: Area, agencies: dict[str, Agency]) -> Agency:
    district = int(village.code[2:4])
    return agencies["ngo"] if district >= 18 and "ngo" in agencies else agencies["cc"]


@transaction.atomic
def generate_population(
    *, people: int = 20_000, seed: int = 2568, agencies: dict[str, Agency], today: date | None = None
) -> dict[str, int]:
    """Create `people` people in households across the demo villages, with two assessment rounds."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    catalogue: Catalogue = active_catalogue()
    indicators = [i for i in catalogue.indicators.all() if i.active and i.level in "IH"]
    villages = list(Area.objects.filter(level="village").order_by("code"))
    if not villages:
        return {"people": 0}
    village_risk = {
        v.pk: min(
            0.9, max(0.05, rng.betavariate(2, 4) + (0.15 if int(v.code[2:4]) in (9, 10, 18, 20) else 0))
        )
        for v in villages
    }
    names = random.Random(seed + 1)  # names have their own draws: the risk data stay as they were
    village_people: dict[int, str] = {}
    village_families: dict[tuple[int, str], list[Part]] = {}
    households: list[tuple[Household, float]] = []
    members: list[tuple[Person, float]] = []
    member_household: list[int] = []
    round_one = today - timedelta(days=182)
    while len(members) < people:
        village = villages[len(households) % len(villages)]
        owner = _owner(village, agencies)
        vulnerability = min(0.95, max(0.0, village_risk[village.pk] + rng.gauss(0, 0.15)))
        household = Household(
            agency=owner, village=village, label=f"{rng.randint(1, 250)}/{rng.randint(1, 12)}"
        )
        households.append((household, vulnerability))
        folk, family = _household_name(names, village, village_people, village_families)
        given_names: set[str] = set()
        for n in range(rng.choice([2, 3, 3, 4, 4, 5, 6])):
            if len(members) >= people:
                break
            sex = rng.choice(["female", "male"]) if rng.random() > 0.01 else "other"
            given = given_name(names, folk, sex)
            for _ in range(5):  # brothers and sisters are not given one name
                if given[1] not in given_names:
                    break
                given = given_name(names, folk, sex)
            given_names.add(given[1])
            age = rng.randint(30, 60) if n == 0 else rng.choice([rng.randint(0, 25), rng.randint(5, 18)])
            year = today.year - age
            exact = rng.random() < 0.7
            members.append(
                (
                    Person(
                        agency=owner,
                        village=village,
                        given_name=given[0],
                        family_name=family[0],
                        given_name_latin=given[1],
                        family_name_latin=family[1],
                        sex=sex,
                        birth_date=date(year, rng.randint(1, 12), rng.randint(1, 28)) if exact else None,
                        birth_year=year,
                        birth_year_estimated=not exact,
                        consent_basis="demo data (synthetic)",
                    ),
                    vulnerability,
                )
            )
            member_household.append(len(households) - 1)
    Household.objects.bulk_create([h for h, _ in households], batch_size=2000)
    for (person, _), index in zip(members, member_household, strict=True):
        person.household = households[index][0]
    Person.objects.bulk_create([p for p, _ in members], batch_size=2000)

    def items() -> Iterator[BulkItem]:
        by_household: dict[int, list[tuple[Person, float]]] = {}
        for person, vulnerability in members:
            by_household.setdefault(person.household_id or 0, []).append((person, vulnerability))
        for group in by_household.values():
            vulnerability = group[0][1]
            shock = rng.random() < 0.05
            first_day = round_one - timedelta(days=rng.randint(0, 30))
            second_day = today - timedelta(days=rng.randint(0, 30))
            drift = min(0.95, max(0.0, vulnerability + rng.gauss(0, 0.08)))
            house_1 = _household_scores(rng, indicators, vulnerability, False)
            # Households change slowly: a few answers move with the drift, and a few get a sudden shock.
            house_2 = _followup(rng, house_1, _household_scores(rng, indicators, drift, shock), shock)
            for person, _ in group:
                age = today.year - (person.birth_year or today.year)
                first = _scores(rng, indicators, house_1, vulnerability, age - 1, person.sex, False)
                if person.birth_date is None or person.birth_date <= first_day:  # not yet born at round one
                    yield BulkItem(person.pk, first_day, first, "visit")
                born = person.birth_date is None or person.birth_date <= second_day
                if born and rng.random() < 0.9:  # some people were not found at the second round
                    redrawn = _scores(rng, indicators, house_2, drift, age, person.sex, shock)
                    second = {
                        **_followup(rng, first, redrawn, shock),
                        **{c: v for c, v in house_2.items() if c in first or c in redrawn},
                    }
                    yield BulkItem(person.pk, second_day, second, "visit")

    # One person's two rounds arrive together, in date order, as bulk recording expects.
    result = assessments_bulk_record(
        actor=None, items=items(), catalogue=catalogue, check=False, label="demo"
    )
    village_indicators = [i for i in catalogue.indicators.all() if i.active and i.level == "V"]
    for village in villages:
        risk = village_risk[village.pk]
        assessment_record(
            actor=None,
            village=village,
            agency=_owner(village, agencies),
            assessed_on=today - timedelta(days=rng.randint(0, 60)),
            source="visit",
            scores={i.code: _level(risk + rng.gauss(0, 0.2)) for i in village_indicators},
        )
    audit_record(
        actor=None,
        action="registry.demo.generate",
        object_type="registry.person",
        changes={"people": len(members), "households": len(households), "assessments": result.created},
    )
    return {
        "people": len(members),
        "households": len(households),
        "assessments": result.created,
        "alerts": result.alerts,
    }


def generate_documentation(*, agencies: dict[str, Agency]) -> int:
    """A stateless child of the coordination centre (R-044, W-24): born here to a father from Myanmar, birth
    registered, no citizenship, off the household register, with an open citizenship problem being followed;
    and a handful of other children with documents in other states. Returns the people given documents."""
    from datetime import date

    from safepassage.registry import documents

    this_year = date.today().year
    children = list(
        Person.objects.filter(agency=agencies["cc"], birth_year__gt=this_year - 18, erased_at__isnull=True)
        .exclude(birth_year=None)
        .order_by("pk")[:6]
    )
    if not children:
        return 0
    child, *others = children
    documents.document_add(
        actor=None, person=child, kind="citizenship", state="none", state_on=date(2024, 3, 1)
    )
    documents.document_add(actor=None, person=child, kind="birth_certificate", state="has", country="TH")
    documents.document_add(actor=None, person=child, kind="household_registration", state="none")
    documents.problem_open(
        actor=None,
        person=child,
        kind="citizenship",
        opened_on=date(2025, 6, 2),
        status="following",
        description="Father from Myanmar, mother Thai; never added to the mother's household register.",
        next_step="Take the village headman's letter and two witnesses to the district registration office",
        next_step_on=date(this_year + 1, 1, 15),
    )
    states = ["has", "applied", "expired", "held_by_other", "lost"]
    for n, person in enumerate(others):
        documents.document_add(actor=None, person=person, kind="citizenship", state="has", country="TH")
        documents.document_add(actor=None, person=person, kind="id_card", state=states[n % len(states)])
    # Social-security enrolment and portability of a few adults.
    adults = Person.objects.filter(
        agency=agencies["cc"], birth_year__lte=this_year - 20, erased_at__isnull=True
    ).order_by("pk")[:4]
    for n, adult in enumerate(adults):
        documents.document_add(
            actor=None,
            person=adult,
            kind="social_security",
            state="has" if n % 2 == 0 else "none",
            country="TH",
        )
        if n % 2 == 0:
            documents.document_add(actor=None, person=adult, kind="social_security_portable", state="none")
    return len(children)
