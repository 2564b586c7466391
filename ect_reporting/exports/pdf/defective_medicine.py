"""The printable Yellow Card defective-medicine report.

Sections follow the Yellow Card "defective medicine" questions: the
product and its batch first (the batch matters most: it is what a recall
names), then the defect, whether it reached a patient, where the stock is
and who was told; the patient only when the product was used on one.
"""

from __future__ import annotations

from typing import ClassVar

from reportlab.platypus import Flowable

from ect_reporting import vocab
from ect_reporting.exports.pdf.shared import ReportLayout
from ect_reporting.record_types import Defect, Product, Record, Stock, Use

NO_PRODUCT: Product = dict.fromkeys(Product.__annotations__)  # type: ignore[assignment]
NO_DEFECT: Defect = dict.fromkeys(Defect.__annotations__) | {"urgent": False}  # type: ignore[assignment]
NO_USE: Use = dict.fromkeys(Use.__annotations__)  # type: ignore[assignment]
NO_STOCK: Stock = dict.fromkeys(Stock.__annotations__)  # type: ignore[assignment]


class DefectiveMedicineLayout(ReportLayout):
    """A4 defective-medicine layout for ``kind == "defective_medicine"`` records."""

    sections: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Product", "product_section"),
        ("The defect", "defect_section"),
        ("Use on a patient", "use_section"),
        ("Stock and who was told", "stock_section"),
        ("Destination", "destination_section"),
        ("Reporter", "reporter_section"),
        ("ECT procedure summary", "procedure_section"),
    )

    def title_text(self, record: Record) -> str:
        """An urgent report (suspected counterfeit) says so in its title."""
        title = super().title_text(record)
        return f"URGENT - {title}" if (record.get("defect") or NO_DEFECT).get("urgent") else title

    def product_section(self, record: Record) -> list[Flowable]:
        """Medicine, product name, strength, form, batch, expiry and the manufacturer or MAH."""
        product = record.get("product") or NO_PRODUCT
        return self.fields(
            [
                ("Medicine", self.label(vocab.DRUGS, product.get("drug"))),
                ("Product or brand name", self.text(product.get("name"))),
                ("Strength", self.text(product.get("strength"))),
                ("Form", self.text(product.get("form"))),
                ("Batch number", self.text(product.get("batch"))),
                ("Expiry date", self.date_text(product.get("expiry_date"))),
                ("Manufacturer or marketing authorisation holder", self.text(product.get("manufacturer"))),
            ],
            columns=2,
        )

    def defect_section(self, record: Record) -> list[Flowable]:
        """The category, when it was found, and the description (free text, may run over pages)."""
        defect = record.get("defect") or NO_DEFECT
        return [
            *self.fields(
                [
                    ("Category", self.label(vocab.DEFECT_CATEGORIES, defect.get("category"))),
                    ("Date found", self.date_text(defect.get("date_found"))),
                    ("Urgent (suspected counterfeit)", self.text(bool(defect.get("urgent")))),
                ]
            ),
            *self.block_label("Description"),
            *self.long_text(self.text(defect.get("description"))),
        ]

    def use_section(self, record: Record) -> list[Flowable]:
        """Whether the product reached a patient; the patient's minimum data only if it did."""
        use = record.get("use") or NO_USE
        rows = [("Used on a patient", self.text(use.get("used_on_patient")))]
        if not use.get("used_on_patient"):
            return self.fields(rows)
        related = [r["reference"] for r in record.get("related_reports") or [] if r.get("kind") == "medicine"]
        rows += [
            ("Adverse reaction followed", self.text(use.get("reaction_followed"))),
            ("Suspected reaction report", ", ".join(related) or "Not recorded"),
        ]
        return [*self.fields(rows), *self.subheading("Patient"), *self.patient_section(record)]

    def stock_section(self, record: Record) -> list[Flowable]:
        """How much stock, where it is now, and whether pharmacy and supplier were told."""
        stock = record.get("stock") or NO_STOCK
        return self.fields(
            [
                ("Quantity affected", self.text(stock.get("quantity_affected"))),
                ("Where the stock is now", self.label(vocab.STOCK_LOCATIONS, stock.get("location"))),
                ("Pharmacy informed", self.text(stock.get("pharmacy_informed"))),
                ("Supplier or MAH informed", self.text(stock.get("supplier_informed"))),
            ],
            columns=2,
        )

    def destination_section(self, record: Record) -> list[Flowable]:
        """The Yellow Card scheme, from every nation, and the site it comes from."""
        site = record.get("site") or {}
        return self.fields(
            [
                ("Report to", self.destination_name(record)),
                ("Site", self.text(site.get("name"))),
                ("Site nation", self.label(vocab.NATIONS, site.get("nation"))),
            ]
        )
