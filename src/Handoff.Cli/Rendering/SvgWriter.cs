using System.Globalization;
using System.Text;
using System.Xml;

namespace Handoff.Cli.Rendering;

/// <summary>Writes a <see cref="Scene"/> as SVG 1.1: deterministic (same scene, same bytes), no scripts, no external references.</summary>
internal static class SvgWriter
{
    private const string SvgNamespace = "http://www.w3.org/2000/svg";

    public static string Write(Scene scene)
    {
        var sb = new StringBuilder();
        using (var xml = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true, NewLineChars = "\n" }))
        {
            xml.WriteStartElement("svg", SvgNamespace);
            xml.WriteAttributeString("width", N(scene.Width));
            xml.WriteAttributeString("height", N(scene.Height));
            xml.WriteAttributeString("viewBox", $"0 0 {N(scene.Width)} {N(scene.Height)}");
            xml.WriteAttributeString("font-family", Scene.FontFamily);
            xml.WriteElementString("title", SvgNamespace, scene.Title);
            if (scene.Elements.OfType<SceneLine>().Any(l => l.Arrow))
            {
                xml.WriteStartElement("defs", SvgNamespace);
                xml.WriteStartElement("marker", SvgNamespace);
                xml.WriteAttributeString("id", "arrow");
                xml.WriteAttributeString("viewBox", "0 0 10 10");
                xml.WriteAttributeString("refX", "10");
                xml.WriteAttributeString("refY", "5");
                xml.WriteAttributeString("markerWidth", "7");
                xml.WriteAttributeString("markerHeight", "7");
                xml.WriteAttributeString("orient", "auto");
                xml.WriteStartElement("path", SvgNamespace);
                xml.WriteAttributeString("d", "M 0 0 L 10 5 L 0 10 z");
                xml.WriteAttributeString("fill", "#555555");
                xml.WriteEndElement();
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteStartElement("rect", SvgNamespace);
            xml.WriteAttributeString("width", "100%");
            xml.WriteAttributeString("height", "100%");
            xml.WriteAttributeString("fill", "#ffffff");
            xml.WriteEndElement();
            foreach (var element in scene.Elements)
            {
                Write(xml, element);
            }

            xml.WriteEndElement();
        }

        return sb.Append('\n').ToString();
    }

    private static void Write(XmlWriter xml, SceneElement element)
    {
        switch (element)
        {
            case SceneRect r:
                xml.WriteStartElement("rect", SvgNamespace);
                if (r.Class is not null)
                {
                    xml.WriteAttributeString("class", r.Class);
                }

                foreach (var (key, value) in r.Data)
                {
                    xml.WriteAttributeString("data-" + key, value);
                }

                xml.WriteAttributeString("x", N(r.X));
                xml.WriteAttributeString("y", N(r.Y));
                xml.WriteAttributeString("width", N(r.Width));
                xml.WriteAttributeString("height", N(r.Height));
                if (r.Radius > 0)
                {
                    xml.WriteAttributeString("rx", N(r.Radius));
                }

                xml.WriteAttributeString("fill", r.Fill);
                if (r.Stroke is not null)
                {
                    xml.WriteAttributeString("stroke", r.Stroke);
                }

                if (r.Tooltip is not null)
                {
                    xml.WriteElementString("title", SvgNamespace, r.Tooltip);
                }

                xml.WriteEndElement();
                break;
            case SceneText t:
                xml.WriteStartElement("text", SvgNamespace);
                xml.WriteAttributeString("x", N(t.X));
                xml.WriteAttributeString("y", N(t.Y));
                xml.WriteAttributeString("font-size", N(t.Size));
                if (t.Anchor != TextAnchor.Start)
                {
                    xml.WriteAttributeString("text-anchor", t.Anchor == TextAnchor.Middle ? "middle" : "end");
                }

                if (t.Bold)
                {
                    xml.WriteAttributeString("font-weight", "bold");
                }

                xml.WriteAttributeString("fill", t.Fill);
                xml.WriteString(t.Text);
                xml.WriteEndElement();
                break;
            case SceneLine l:
                xml.WriteStartElement("polyline", SvgNamespace);
                xml.WriteAttributeString("points", string.Join(" ", l.Points.Select(p => $"{N(p.X)},{N(p.Y)}")));
                xml.WriteAttributeString("fill", "none");
                xml.WriteAttributeString("stroke", l.Stroke);
                xml.WriteAttributeString("stroke-width", N(l.StrokeWidth));
                if (l.Dashed)
                {
                    xml.WriteAttributeString("stroke-dasharray", "4 3");
                }

                if (l.Arrow)
                {
                    xml.WriteAttributeString("marker-end", "url(#arrow)");
                }

                xml.WriteEndElement();
                break;
        }
    }

    /// <summary>A coordinate: invariant culture, at most two decimals.</summary>
    public static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
