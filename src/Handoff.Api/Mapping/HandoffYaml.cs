using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace Handoff.Api.Mapping;

/// <summary>One object read from a YAML file: where it came from and what it is.</summary>
/// <param name="Source">The file name (or another label for the text).</param>
/// <param name="Document">1-based index of the document among the <c>---</c>-separated documents of the source.</param>
/// <param name="Line">1-based line where the document starts.</param>
/// <param name="Object">The deserialized <see cref="HandoffNode"/> or <see cref="HandoffFunction"/>.</param>
public sealed record ManifestDocument(string Source, int Document, int Line, IKubernetesObject<V1ObjectMeta> Object)
{
    /// <summary><c>examples/dag/dag.yaml:12</c>.</summary>
    public string Location => $"{Source}:{Line}";
}

/// <summary>A YAML text that cannot be read as Handoff manifests; the message names the source, line and problem.</summary>
public sealed class ManifestLoadException : Exception
{
    public ManifestLoadException(string source, int line, string problem, Exception? innerException = null)
        : base($"{source}:{line}: {problem}", innerException)
    {
        Source = source;
        Line = line;
    }

    public ManifestLoadException()
    {
        Source = "";
    }

    public ManifestLoadException(string message)
        : base(message)
    {
        Source = "";
    }

    public ManifestLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Source = "";
    }

    public new string Source { get; }

    public int Line { get; }
}

/// <summary>
/// Reads multi-document YAML of HandoffNode and HandoffFunction manifests, as they would be <c>kubectl apply</c>-ed,
/// with <see cref="KubernetesYaml"/>.
/// </summary>
public static partial class HandoffYaml
{
    /// <summary>
    /// The <c>apiVersion/kind</c> → type map for <see cref="KubernetesYaml.LoadAllFromString"/>:
    /// <c>KubernetesYaml.LoadAllFromString(text, HandoffYaml.TypeMap)</c>. A new dictionary each call.
    /// </summary>
    public static IDictionary<string, Type> TypeMap => new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [$"{HandoffApi.ApiVersion}/{HandoffApi.NodeKind}"] = typeof(HandoffNode),
        [$"{HandoffApi.ApiVersion}/{HandoffApi.FunctionKind}"] = typeof(HandoffFunction),
        [$"{HandoffApi.ApiVersion}/{HandoffApi.NodeKind}List"] = typeof(HandoffNodeList),
        [$"{HandoffApi.ApiVersion}/{HandoffApi.FunctionKind}List"] = typeof(HandoffFunctionList),
    };

    /// <summary>
    /// Splits <paramref name="text"/> into its <c>---</c>-separated documents and deserializes each HandoffNode and
    /// HandoffFunction (strictly: unknown fields are errors, as with <c>kubectl apply --validate=strict</c>). Empty and
    /// comment-only documents are skipped. A <c>HandoffNodeList</c>/<c>HandoffFunctionList</c> yields its items.
    /// </summary>
    /// <exception cref="ManifestLoadException">malformed YAML, a missing or unknown apiVersion/kind, or a field of the wrong shape.</exception>
    public static IReadOnlyList<ManifestDocument> Load(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<ManifestDocument>();
        var index = 0;
        foreach (var (body, startLine) in SplitDocuments(text))
        {
            index++;
            if (IsBlank(body))
            {
                continue;
            }

            var line = startLine + LeadingBlankLines(body);
            TypeHeader header;
            try
            {
                header = KubernetesYaml.Deserialize<TypeHeader>(body, strict: false)
                    ?? throw new ManifestLoadException(source, line, "the document is not a mapping");
            }
            catch (ManifestLoadException)
            {
                throw;
            }
            catch (Exception e)
            {
                // YamlDotNet throws more than YamlException on bad input (e.g. InvalidOperationException at an
                // unexpected end of a flow collection): any failure here is the input's.
                throw Malformed(source, startLine, e, body: body);
            }

            if (string.IsNullOrEmpty(header.ApiVersion) || string.IsNullOrEmpty(header.Kind))
            {
                throw new ManifestLoadException(source, line, "not a Kubernetes object: apiVersion and kind are required");
            }

            var key = $"{header.ApiVersion}/{header.Kind}";
            if (!TypeMap.TryGetValue(key, out var type))
            {
                throw new ManifestLoadException(source, line,
                    $"unknown kind \"{header.Kind}\" (apiVersion \"{header.ApiVersion}\"): expected {HandoffApi.ApiVersion} {HandoffApi.NodeKind} or {HandoffApi.FunctionKind}");
            }

            object? obj;
            try
            {
                obj = type == typeof(HandoffNode) ? KubernetesYaml.Deserialize<HandoffNode>(body, strict: true)
                    : type == typeof(HandoffFunction) ? KubernetesYaml.Deserialize<HandoffFunction>(body, strict: true)
                    : type == typeof(HandoffNodeList) ? KubernetesYaml.Deserialize<HandoffNodeList>(body, strict: true)
                    : KubernetesYaml.Deserialize<HandoffFunctionList>(body, strict: true);
            }
            catch (Exception e)
            {
                throw Malformed(source, startLine, e, body: body, what: $"{header.Kind} {header.Metadata?.Name}".TrimEnd());
            }

            switch (obj)
            {
                case HandoffNodeList nodes:
                    result.AddRange(nodes.Items.Select(n => new ManifestDocument(source, index, line, n)));
                    break;
                case HandoffFunctionList functions:
                    result.AddRange(functions.Items.Select(f => new ManifestDocument(source, index, line, f)));
                    break;
                case IKubernetesObject<V1ObjectMeta> single:
                    single.Metadata ??= new V1ObjectMeta();
                    result.Add(new ManifestDocument(source, index, line, single));
                    break;
                default:
                    throw new ManifestLoadException(source, line, "the document is empty");
            }
        }

        return result;
    }

    private static ManifestLoadException Malformed(string source, int startLine, Exception e, string body, string? what = null)
    {
        int line;
        string problem;
        if (e is YamlException y)
        {
            line = startLine + (int)y.Start.Line - 1;
            problem = PositionText().Replace(y.Message, "").Trim();
            if (y.InnerException is { } inner)
            {
                problem = $"{problem}: {PositionText().Replace(inner.Message, "").Trim()}";
            }
        }
        else
        {
            line = startLine + LastParsedLine(body) - 1;
            problem = $"cannot parse the document after this line (an unclosed '{{', '[' or quote?): {e.Message}";
        }

        problem = problem.TrimEnd('.');
        return new ManifestLoadException(source, Math.Max(1, line), what is null ? $"malformed YAML: {problem}" : $"{what}: {problem}", e);
    }

    /// <summary>The 1-based line of the last YAML event that parsed before an error.</summary>
    private static int LastParsedLine(string body)
    {
        var parser = new Parser(new StringReader(body));
        var line = 1;
        try
        {
            while (parser.MoveNext())
            {
                line = (int)(parser.Current?.End.Line ?? line);
            }
        }
        catch (Exception)
        {
            // The error itself is reported by the caller; only the position is wanted here.
        }

        return line;
    }

    /// <summary>Yields each document's text and its 1-based first line (the line after its <c>---</c>).</summary>
    private static IEnumerable<(string Body, int StartLine)> SplitDocuments(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var current = new List<string>();
        var start = 1;
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            if (l.StartsWith("---", StringComparison.Ordinal) && (l.Length == 3 || char.IsWhiteSpace(l[3])))
            {
                yield return (string.Join('\n', current), start);
                current.Clear();
                start = i + 2;
                var rest = l[3..].Trim();
                if (rest.Length > 0 && !rest.StartsWith('#'))
                {
                    current.Add(rest);
                    start = i + 1;
                }

                continue;
            }

            current.Add(l);
        }

        yield return (string.Join('\n', current), start);
    }

    private static bool IsBlank(string body) =>
        body.Split('\n').All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#') || l.Trim() == "...");

    private static int LeadingBlankLines(string body) =>
        body.Split('\n').TakeWhile(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#')).Count();

    [GeneratedRegex(@"\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):|\(at Line: \d+, Col: \d+, Idx: \d+\)")]
    private static partial Regex PositionText();

    private sealed class TypeHeader
    {
        [JsonPropertyName("apiVersion")]
        public string? ApiVersion { get; set; }

        [JsonPropertyName("kind")]
        public string? Kind { get; set; }

        [JsonPropertyName("metadata")]
        public V1ObjectMeta? Metadata { get; set; }
    }
}
