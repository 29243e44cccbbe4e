using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Handoff.Api.Crds;

/// <summary>
/// The <c>&lt;summary&gt;</c> of types and properties from the XML documentation file the build writes next to the
/// assembly: the one text of a field's meaning, used as the CRD's <c>description</c> (plain) and in docs/api.md
/// (Markdown).
/// </summary>
public static partial class XmlDocs
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, XElement>> s_files = new();

    /// <summary>Whether the documentation file of <paramref name="assembly"/> is there.</summary>
    public static bool Available(Assembly assembly) => Members(assembly).Count > 0;

    /// <summary>The summary as plain text (<c>&lt;c&gt;x&lt;/c&gt;</c> becomes <c>x</c>); null when there is none.</summary>
    public static string? Summary(MemberInfo member) => Render(member, markdown: false);

    /// <summary>The summary as Markdown (<c>&lt;c&gt;x&lt;/c&gt;</c> becomes <c>`x`</c>); null when there is none.</summary>
    public static string? SummaryMarkdown(MemberInfo member) => Render(member, markdown: true);

    private static string? Render(MemberInfo member, bool markdown)
    {
        ArgumentNullException.ThrowIfNull(member);
        var assembly = (member as Type ?? member.DeclaringType)!.Assembly;
        if (!Members(assembly).TryGetValue(Id(member), out var element) || element.Element("summary") is not { } summary)
        {
            return null;
        }

        var sb = new StringBuilder();
        Append(sb, summary, markdown);
        var text = Whitespace().Replace(sb.ToString(), " ").Trim();
        return text.Length == 0 ? null : text;
    }

    private static void Append(StringBuilder sb, XElement element, bool markdown)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    sb.Append(text.Value);
                    break;
                case XElement { Name.LocalName: "c" } code:
                    sb.Append(markdown ? $"`{code.Value}`" : code.Value);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    var name = (string?)see.Attribute("langword") ?? CrefName((string?)see.Attribute("cref") ?? "");
                    sb.Append(markdown ? $"`{name}`" : name);
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                    sb.Append((string?)reference.Attribute("name"));
                    break;
                case XElement { Name.LocalName: "para" } para:
                    sb.Append(' ');
                    Append(sb, para, markdown);
                    sb.Append(' ');
                    break;
                case XElement other:
                    Append(sb, other, markdown);
                    break;
            }
        }
    }

    /// <summary><c>T:Handoff.Api.V1Alpha1.HandoffQueue</c> → <c>HandoffQueue</c>; <c>P:...HandoffQueueSpec.Weight</c> → <c>HandoffQueueSpec.Weight</c>.</summary>
    private static string CrefName(string cref)
    {
        var name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        var parts = name.Split('(')[0].Split('.');
        return cref.StartsWith("T:", StringComparison.Ordinal) || parts.Length < 2 ? parts[^1] : $"{parts[^2]}.{parts[^1]}";
    }

    private static string Id(MemberInfo member) => member switch
    {
        Type type => "T:" + type.FullName!.Replace('+', '.'),
        PropertyInfo property => $"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}",
        FieldInfo field => $"F:{field.DeclaringType!.FullName!.Replace('+', '.')}.{field.Name}",
        _ => throw new ArgumentException($"No documentation id for {member.MemberType} {member.Name}.", nameof(member)),
    };

    private static IReadOnlyDictionary<string, XElement> Members(Assembly assembly) => s_files.GetOrAdd(assembly, a =>
    {
        var path = Path.ChangeExtension(a.Location, ".xml");
        if (string.IsNullOrEmpty(a.Location) || !File.Exists(path))
        {
            return new Dictionary<string, XElement>();
        }

        return XDocument.Load(path).Descendants("member")
            .Where(m => m.Attribute("name") is not null)
            .GroupBy(m => (string)m.Attribute("name")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    });

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
