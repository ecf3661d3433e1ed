"""Extra studies for the browser tests: a picture Q-set and a right-to-left (Arabic) study.

The pictures are drawn here (small SVG files and one PNG) and stored through the app's own
:func:`app.services.pictures.store_image`, so they are served by ``/media/`` like a real study's.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from sqlmodel import Session, select

from app import store
from app.models import Study
from app.services.pictures import store_image

from .conftest import LiveServer

GRID_VALUES = (-2, -1, 0, 1, 2)
GRID_CAPACITIES = (1, 2, 3, 2, 1)

# (caption, text alternative, SVG shapes inside a 400x300 picture)
PICTURES: tuple[tuple[str, str, str], ...] = (
    (
        "A home of my own",
        "Drawing of a small house with a red roof and a door",
        '<polygon points="80,150 200,50 320,150" fill="#b33"/><rect x="110" y="150" width="180"'
        ' height="120" fill="#e8d8b0"/><rect x="180" y="200" width="40" height="70" fill="#6b4"/>',
    ),
    (
        "A job",
        "Drawing of a brown work bag",
        '<rect x="90" y="110" width="220" height="140" rx="14" fill="#8a5a2b"/>'
        '<rect x="165" y="80" width="70" height="40" rx="8" fill="none" stroke="#5a3a1b"'
        ' stroke-width="12"/>',
    ),
    (
        "A routine every day",
        "Drawing of a clock showing three o'clock",
        '<circle cx="200" cy="150" r="110" fill="#fff" stroke="#222" stroke-width="10"/>'
        '<line x1="200" y1="150" x2="200" y2="70" stroke="#222" stroke-width="10"/>'
        '<line x1="200" y1="150" x2="270" y2="150" stroke="#222" stroke-width="10"/>',
    ),
    (
        "Someone to call",
        "Drawing of a green telephone",
        '<rect x="140" y="40" width="120" height="220" rx="18" fill="#2a7"/>'
        '<rect x="155" y="65" width="90" height="150" fill="#dfe"/>',
    ),
    (
        "Friends who use",
        "Drawing of three people standing together",
        '<circle cx="120" cy="100" r="35" fill="#c84"/>'
        '<circle cx="200" cy="90" r="35" fill="#48c"/>'
        '<circle cx="280" cy="100" r="35" fill="#8a4"/>'
        '<rect x="90" y="140" width="220" height="120" rx="30" fill="#777"/>',
    ),
    (
        "Medicine that helps",
        "Drawing of a blue and white capsule",
        '<rect x="80" y="115" width="240" height="70" rx="35" fill="#fff" stroke="#225"'
        ' stroke-width="8"/><rect x="80" y="115" width="120" height="70" rx="35" fill="#36c"/>',
    ),
    (
        "Hope for the future",
        "Drawing of a yellow sun rising over a hill",
        '<circle cx="200" cy="170" r="70" fill="#fc3"/><rect x="0" y="190" width="400" height="110"'
        ' fill="#5a3"/>',
    ),
    (
        "My children",
        "Drawing of an adult holding a child's hand",
        '<circle cx="150" cy="80" r="35" fill="#a63"/><rect x="120" y="120" width="60" height="150"'
        ' rx="20" fill="#a63"/><circle cx="250" cy="150" r="25" fill="#fa6"/>'
        '<rect x="230" y="180" width="40" height="90" rx="14" fill="#fa6"/>',
    ),
)


def svg(shapes: str) -> bytes:
    """A 400x300 SVG picture with a light background."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">'
        f'<rect width="400" height="300" fill="#f4f1e8"/>{shapes}</svg>'
    ).encode()


def png_square(size: int = 120, rgb: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    """A small solid-colour PNG (written by hand: no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _existing(db: Session, slug: str) -> Study | None:
    return db.exec(select(Study).where(Study.slug == slug)).first()


def add_picture_study(server: LiveServer, code: str = "PICS") -> None:
    """A study of 9 picture cards (8 drawings and a blue square PNG), read-aloud on."""
    data_dir = Path(server.settings.data_dir)
    with Session(server.app.state.engine) as db:
        if _existing(db, "pictures-test"):
            return
        names = [store_image(data_dir, svg(shapes), "svg") for _, _, shapes in PICTURES]
        names.append(store_image(data_dir, png_square(), "png"))
        captions = [c for c, _, _ in PICTURES] + ["Feeling calm"]
        alts = [a for _, a, _ in PICTURES] + ["A plain blue square"]
        study = store.create_study(
            db,
            slug="pictures-test",
            title="What helps (pictures)",
            condition="What helps people stay in recovery?",
            consent_text="A short test study with picture cards.",
            instructions_text="Look at each picture and sort it.",
            statements=captions[:9],
            column_values=GRID_VALUES,
            capacities=GRID_CAPACITIES,
            tray_start="agree",
        )
        assert study.id is not None and study.current_qset_id is not None
        cards = store.statements(db, study.current_qset_id)
        for card, name, alt in zip(cards, names[:9], alts[:9], strict=True):
            card.image, card.image_alt = name, alt
            db.add(card)
        store.open_session(db, study.id, code, name="Pictures")
        db.commit()


ARABIC_STATEMENTS = (
    "الروتين اليومي يساعد على التعافي.",
    "الأصدقاء الذين يتعاطون يجعلون الابتعاد صعباً.",
    "العمل يعطي سبباً للبقاء بخير.",
    "البيت الآمن يأتي قبل كل شيء.",
    "الخوف من الوصمة يمنع طلب المساعدة.",
    "الشعور بالوحدة خطر كبير.",
    "الأطفال سبب قوي للتعافي.",
    "الموظف الموثوق يصنع فرقاً حقيقياً.",
    "الألم العاطفي يدفع إلى التعاطي.",
)


def add_arabic_study(server: LiveServer, code: str = "ARAB") -> None:
    """A 9-card study in Arabic (right to left) with one required survey question."""
    with Session(server.app.state.engine) as db:
        if _existing(db, "arabic-test"):
            return
        study = store.create_study(
            db,
            slug="arabic-test",
            title="التعافي",
            condition="ما الذي يساعد الناس على البقاء في التعافي؟",
            consent_text="دراسة قصيرة للاختبار.",
            instructions_text="رتّب البطاقات من لا أوافق بشدة إلى أوافق بشدة.",
            language="ar",
            disagree_label="لا أوافق بشدة",
            agree_label="أوافق بشدة",
            statements=ARABIC_STATEMENTS,
            column_values=GRID_VALUES,
            capacities=GRID_CAPACITIES,
            survey=(
                (
                    "group",
                    "choice",
                    "أيّ وصف يناسبك أكثر؟",
                    [
                        {"value": "a", "label": "أستخدم الخدمات"},
                        {"value": "b", "label": "أعمل فيها"},
                    ],
                    True,
                ),
            ),
        )
        assert study.id is not None
        store.open_session(db, study.id, code, name="Arabic")
        db.commit()


SPANISH_STATEMENTS = (
    "Tener una rutina diaria ayuda a mantenerse bien.",
    "Los amigos que consumen hacen difícil dejarlo.",
    "Un trabajo da una razón para seguir en recuperación.",
    "Una casa segura es lo primero.",
    "El miedo al estigma impide pedir ayuda.",
    "Sentirse solo es un gran riesgo.",
    "Los hijos son una razón fuerte para recuperarse.",
    "Una persona de confianza en el servicio marca la diferencia.",
    "El dolor emocional lleva a consumir.",
)


def add_spanish_study(server: LiveServer, code: str = "ESPA") -> None:
    """A 9-card study in Spanish."""
    with Session(server.app.state.engine) as db:
        if _existing(db, "spanish-test"):
            return
        study = store.create_study(
            db,
            slug="spanish-test",
            title="La recuperación",
            condition="¿Qué ayuda a las personas a seguir en recuperación?",
            consent_text="Un estudio corto de prueba.",
            instructions_text="Ordena las tarjetas de muy en desacuerdo a muy de acuerdo.",
            language="es",
            statements=SPANISH_STATEMENTS,
            column_values=GRID_VALUES,
            capacities=GRID_CAPACITIES,
        )
        assert study.id is not None
        store.open_session(db, study.id, code, name="Español")
        db.commit()
