using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Testing;

namespace Handoff.Api.Tests.Manifests;

/// <summary>
/// The reader against the real kubectl 1.35: <c>kubectl patch --local -f FILE -p {} --type merge -o json</c> reads a
/// file exactly as <c>kubectl apply -f</c> does and prints the objects unchanged, without a cluster. Custom kinds stay
/// unstructured there, so the JSON is what kubectl would send. Skipped with the reason when kubectl is missing.
/// </summary>
public sealed class KubectlParityTests
{
    private const string Head = "apiVersion: test.handoff.dev/v1\nkind: Thing\n";

    public static TheoryData<string, string> SameObjects => new()
    {
        { "yaml 1.1 booleans and nulls", Head + "metadata: {name: a}\nv: {a: yes, b: no, c: on, d: off, e: y, f: n, g: True, h: FALSE, i: Yes, j: ~, k: null, l: , m: NULL, n2: 'yes', o: \"on\"}\n" },
        { "integers", Head + "metadata: {name: a}\nv: {a: 8, b: 0x10, c: 010, d: 0o17, e: 0b11, f: +1, g: -0x10, h: 1_000, i: 9223372036854775807, j: 9223372036854775808, k: 18446744073709551616, l: -9223372036854775808, m: 0, n2: -0, o: 00}\n" },
        { "floats", Head + "metadata: {name: a}\nv: {a: 1e3, b: .5, c: 1.0, d: 1.5e-7, e: 1e21, f: 123456789012345678901234, g: 08, h: -.5, i: 3.14159, j: 1e-6, k: 0.000001, l: 12e3, m: 1E3, n2: 2.50, o: 1e400, p: 09.5}\n" },
        { "strings that look like other things", Head + "metadata: {name: a}\nv: {a: 16Gi, b: 1:20, c: 2001-12-14, d: 2001-12-14T21:59:43.10-05:00, e: =, f: <<, g: \"8\", h: '8', i: 500m, j: 1e3x, k: 0x, l: '', n2: +, o: .x, p: 1_, q: _1, r: 0b2, s: 1.2.3}\n" },
        { "block and folded scalars", Head + "metadata: {name: a}\nv:\n  a: |\n    line 1\n    line 2\n  b: >\n    folded\n    text\n  c: |-\n    8\n  d: \"multi\n    line\"\n" },
        { "typed keys", Head + "metadata: {name: a}\nv: {y: 1, 1.5: x, 0x10: y, 1e3: z, 1e6: w, 010: t, 0.0001: s, 0.00001: r, 12345678: q}\n" },
        { "separators with comments, empty and comment-only documents", "# leading comment\n---\n" + Head + "metadata: {name: a}\n--- # second\n\n---\t# tab then comment\n# only a comment\n---\n" + Head + "metadata: {name: b}\n---\n" },
        { "CRLF line ends and no final line end", (Head + "metadata: {name: a}\n---\n" + Head + "metadata: {name: b}").Replace("\n", "\r\n", StringComparison.Ordinal) },
        { "byte order mark", "\uFEFF" + Head + "metadata: {name: a}\n" },
        { "one JSON object", """{"apiVersion": "test.handoff.dev/v1", "kind": "Thing", "metadata": {"name": "a"}, "v": {"a": 1.0, "b": 1e3, "c": 9223372036854775808, "d": "x"}}""" },
        { "a JSON stream", """{"apiVersion":"test.handoff.dev/v1","kind":"Thing","metadata":{"name":"a"}} {"apiVersion":"test.handoff.dev/v1","kind":"Thing","metadata":{"name":"b"}}""" + "\n\n" + """{"apiVersion":"test.handoff.dev/v1","kind":"Thing","metadata":{"name":"c"}}""" },
        { "JSON then YAML without separator", "{\"apiVersion\":\"test.handoff.dev/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"a\"}}\n" + Head + "metadata: {name: b}\n" },
        { "JSON then --- then YAML", "{\"apiVersion\":\"test.handoff.dev/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"a\"}}\n---\n" + Head + "metadata: {name: b}\n" },
        { "JSON with a trailing comma is read as YAML", "{\"apiVersion\":\"test.handoff.dev/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"a\",},}\n" },
        { "pretty-printed JSON", "{\n  \"apiVersion\": \"test.handoff.dev/v1\",\n  \"kind\": \"Thing\",\n  \"metadata\": {\n    \"name\": \"a\"\n  },\n  \"v\": [1, 2.5, true, null, \"s\"]\n}\n" },
        { "kind: List", "apiVersion: v1\nkind: List\nitems:\n- " + Head.Replace("\n", "\n  ", StringComparison.Ordinal) + "metadata: {name: a}\n- " + Head.Replace("\n", "\n  ", StringComparison.Ordinal) + "metadata: {name: b}\n" },
        { "a ThingList with items lacking apiVersion and kind", "apiVersion: test.handoff.dev/v1\nkind: ThingList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n  spec: {x: 1}\n" },
        { "any object with items is a list", Head + "metadata: {name: a}\nitems:\n- " + Head.Replace("\n", "\n  ", StringComparison.Ordinal) + "metadata: {name: inner}\n" },
        { "an empty list", "apiVersion: v1\nkind: List\nitems: []\n---\n" + Head + "metadata: {name: a}\n" },
        { "anchors, aliases and merges", Head + "metadata: {name: a}\nbase: &base {x: 1, y: 2}\nmerged:\n  <<: *base\n  y: 3\nlater:\n  y: 3\n  <<: *base\nmany:\n  <<: [{a: 1, b: 1}, {b: 2, c: 2}]\ncopy: *base\nlist: &l [1, 2]\nagain: *l\n" },
        { "tags", Head + "metadata: {name: a}\nv: {a: !!str 8, b: !!int \"8\", c: !!float 1, d: !!bool yes, e: !custom 8, f: !!str yes, g: !!null ~, h: !!timestamp 2001-12-14}\n" },
        { "flow collections and nesting", Head + "metadata: {name: a, labels: {x: \"1\"}}\nspec: {list: [a, [b, c], {d: e}], empty: {}, none: [], 'quoted key': 1, \"dq\": 2}\n" },
        { "tabs and spaces after values and comments", Head + "metadata: {name: a}   # trailing comment\nv: 1\t\n" },
    };

    [Theory]
    [MemberData(nameof(SameObjects))]
    public async Task Reader_and_kubectl_read_the_same_objects(string name, string text)
    {
        var kubectl = await KubectlAsync(text);
        Assert.True(kubectl.Succeeded, $"{name}: kubectl failed: {kubectl.Stderr}");
        var expected = ParseStream(kubectl.Stdout).Select(Canonical).ToList();
        var actual = ManifestReader.Read(text, "t.yaml").Select(o => Canonical(o.Json)).ToList();
        Assert.Equal(expected, actual);
    }

    public static TheoryData<string, string> BothRefuse => new()
    {
        { "text after ---", Head + "metadata: {name: a}\n---foo\n" + Head + "metadata: {name: b}\n" },
        { "a flow mapping after ---", Head + "metadata: {name: a}\n--- {a: 1}\n" },
        { "a null key", Head + "metadata: {name: a}\nv: {~: x}\n" },
        { "a list as key", Head + "metadata: {name: a}\nv: {? [1, 2] : x}\n" },
        { "infinity", Head + "metadata: {name: a}\nv: .inf\n" },
        { "not a number", Head + "metadata: {name: a}\nv: .NaN\n" },
        { "a list document", "- 1\n- 2\n" },
        { "a scalar document", "hello\n" },
        { "a JSON number out of range", """{"apiVersion":"test.handoff.dev/v1","kind":"Thing","metadata":{"name":"a"},"v":1e400}""" },
        { "two JSON objects then YAML", "{\"apiVersion\":\"test.handoff.dev/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"a\"}}\n{\"apiVersion\":\"test.handoff.dev/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"b\"}}\n---\n" + Head + "metadata: {name: c}\n" },
        { "no kind", "apiVersion: test.handoff.dev/v1\nmetadata: {name: a}\n" },
        { "unclosed flow mapping", Head + "metadata: {name: a\n" },
        { "bad indentation", Head + "metadata:\n  name: a\n labels: {}\n" },
        { "a tab for indentation", Head + "metadata:\n\tname: a\n" },
        { "a typed value that does not match its tag", Head + "metadata: {name: a}\nv: !!int abc\n" },
        { "an unknown alias", Head + "metadata: {name: a}\nv: *nothing\n" },
    };

    [Theory]
    [MemberData(nameof(BothRefuse))]
    public async Task Reader_and_kubectl_both_refuse(string name, string text)
    {
        var kubectl = await KubectlAsync(text);
        Assert.False(kubectl.Succeeded, $"{name}: kubectl accepted it:\n{kubectl.Stdout}");
        var error = Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "t.yaml"));
        Assert.StartsWith("t.yaml:", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> OnlyReaderRefuses => new()
    {
        { "a key written twice", Head + "metadata: {name: a}\nv: {a: 1, a: 2}\n", "t.yaml:4: duplicate key \"a\" in v (kubectl would keep only the last value)" },
        { "a key written twice in JSON", """{"apiVersion":"test.handoff.dev/v1","kind":"Thing","metadata":{"name":"a","name":"b"}}""", "t.yaml:1: duplicate key \"name\" in metadata (kubectl would keep only the last value)" },
        { "content after ...", Head + "metadata: {name: a}\n...\n" + Head + "metadata: {name: b}\n", "t.yaml:5: content after the document end marker '...': start a new document with '---' (kubectl would silently ignore it)" },
    };

    /// <summary>Where kubectl silently drops what the user wrote, the reader refuses: plan and the sandbox must not guess.</summary>
    [Theory]
    [MemberData(nameof(OnlyReaderRefuses))]
    public async Task Reader_refuses_what_kubectl_silently_drops(string name, string text, string message)
    {
        var kubectl = await KubectlAsync(text);
        Assert.True(kubectl.Succeeded, $"{name}: kubectl refused it: {kubectl.Stderr}");
        Assert.Equal(message, Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "t.yaml")).Message);
    }

    private static async Task<ProcessResult> KubectlAsync(string text)
    {
        var kubectl = Tools.Kubectl;
        var dir = Directory.CreateTempSubdirectory("handoff-parity-");
        try
        {
            var file = Path.Combine(dir.FullName, "t.yaml");
            await File.WriteAllTextAsync(file, text, new UTF8Encoding(false), TestContext.Current.CancellationToken);
            return await Processes.RunAsync(kubectl, ["patch", "--local", "-f", file, "-p", "{}", "--type", "merge", "-o", "json"],
                TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken, environment: new Dictionary<string, string?> { ["KUBECONFIG"] = "/dev/null" });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static List<JsonNode> ParseStream(string output)
    {
        var values = new List<JsonNode>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(output), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            values.Add(JsonNode.Parse(ref reader)!);
        }

        return values;
    }

    /// <summary>Keys sorted (kubectl prints Go maps sorted), numbers and strings as parsed.</summary>
    private static string Canonical(JsonNode? node) => Sort(node)?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Sort(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sort)]),
        JsonValue v => JsonNode.Parse(v.ToJsonString()),
        _ => null,
    };
}
