"""Write a contact sheet of every built-in background.

Usage: ``python scripts/backgrounds_gallery.py out.png [--columns 5]``
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ogplatform.builtin.backgrounds import catalog

THUMB = (300, 158)
LABEL = 26  # height of the caption strip under each thumbnail
GAP = 16


def contact_sheet(columns: int = 5) -> Image.Image:
    """Every catalog background as a thumbnail with its id underneath, ``columns`` per row."""
    rows = math.ceil(len(catalog) / columns)
    cell_w, cell_h = THUMB[0] + GAP, THUMB[1] + LABEL + GAP
    sheet = Image.new("RGB", (GAP + columns * cell_w, GAP + rows * cell_h), "#f4f4f5")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for index, background in enumerate(catalog):
        row, col = divmod(index, columns)
        x, y = GAP + col * cell_w, GAP + row * cell_h
        sheet.paste(background.image(*THUMB), (x, y))
        caption = f"{background.id}  ·  {background.tone}"
        draw.text((x + 2, y + THUMB[1] + 6), caption, fill="#27272a", font=font)
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, help="where to write the PNG")
    parser.add_argument("--columns", type=int, default=5)
    args = parser.parse_args()
    contact_sheet(args.columns).save(args.output, optimize=True)
    print(f"wrote {len(catalog)} backgrounds to {args.output}")


if __name__ == "__main__":
    main()
