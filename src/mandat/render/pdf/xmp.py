"""The XMP metadata packet: PDF/A-3b identification, document info, Factur-X properties.

Written from a template rather than with lxml: it is a fixed shape, and string formatting
keeps the bytes under our control. Every value passes through :func:`_x`; callers have
already replaced the characters XML cannot carry (see ``syntax.clean_text``).
"""

from __future__ import annotations

from dataclasses import dataclass

FACTURX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
# The Factur-X 1.0 levels, as spelled in fx:ConformanceLevel (Factur-X 1.0.07, 7.2.2).
FACTURX_LEVELS = frozenset({"MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED", "XRECHNUNG"})


@dataclass(frozen=True, slots=True)
class FacturX:
    conformance_level: str
    document_type: str
    filename: str
    version: str


# PDF/A requires a schema description for every property outside the predefined XMP
# schemas (ISO 19005-3, 6.6.2.3); this is the one of the Factur-X specification.
_FACTURX_SCHEMA = """
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
      xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>{properties}
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>"""
_PROPERTY = """
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>{0}</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>{1}</pdfaProperty:description>
        </rdf:li>"""
_SCHEMA = _FACTURX_SCHEMA.format(
    properties="".join(
        _PROPERTY.format(*p)
        for p in (
            ("DocumentFileName", "name of the embedded XML invoice file"),
            ("DocumentType", "INVOICE"),
            ("Version", "The actual version of the Factur-X XML schema"),
            ("ConformanceLevel", "The conformance level of the embedded Factur-X data"),
        )
    )
)


def _x(value: str) -> str:
    # Not xml.sax.saxutils.escape: importing it pulls in urllib and http.client (30 ms).
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _alt(value: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_x(value)}</rdf:li></rdf:Alt>'


def packet(
    *, title: str, author: str, subject: str, producer: str, creator: str, date: str, facturx: FacturX | None
) -> bytes:
    """The XMP packet; *date* (XMP format) is both creation and modification date, like /Info."""
    dc = "".join(
        (
            "\n   <dc:format>application/pdf</dc:format>",
            f"\n   <dc:title>{_alt(title)}</dc:title>" if title else "",
            f"\n   <dc:creator><rdf:Seq><rdf:li>{_x(author)}</rdf:li></rdf:Seq></dc:creator>" if author else "",
            f"\n   <dc:description>{_alt(subject)}</dc:description>" if subject else "",
        )
    )
    fx = ""
    if facturx is not None:
        fx = f"""
  <rdf:Description rdf:about="" xmlns:fx="{FACTURX_NS}">
   <fx:DocumentType>{_x(facturx.document_type)}</fx:DocumentType>
   <fx:DocumentFileName>{_x(facturx.filename)}</fx:DocumentFileName>
   <fx:Version>{_x(facturx.version)}</fx:Version>
   <fx:ConformanceLevel>{_x(facturx.conformance_level)}</fx:ConformanceLevel>
  </rdf:Description>{_SCHEMA}"""
    text = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">{dc}
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{_x(producer)}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{_x(creator)}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>{fx}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return text.encode("utf-8")
