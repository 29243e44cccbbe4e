using System.Text;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Http;

/// <summary>
/// Decodes the Kubernetes protobuf envelope for the kinds kubectl sends as protobuf to this emulator: the imperative
/// generators (<c>kubectl create namespace|configmap|secret|serviceaccount|job</c>), <c>kubectl drain</c>'s
/// Evictions, <c>kubectl create token|role|rolebinding|clusterrole|clusterrolebinding</c> and <c>kubectl auth
/// can-i|whoami</c>'s reviews. Messages
/// are described by field number (k8s.io/api generated.proto) and decoded to the JSON the API
/// server would have received; fields not described here are dropped, other kinds answer 415.
/// </summary>
/// <remarks>
/// Go's protobuf writes every non-pointer field, even empty; JSON leaves most of them out (<c>omitempty</c>). So empty
/// strings and the zero of non-pointer numbers and booleans are dropped, and pointer fields (<c>Spec.Keep</c>) are kept.
/// </remarks>
internal static class Protobuf
{
    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    private readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes);

    private enum Kind
    {
        Text,
        Integer,
        Boolean,
        Message,
        TextMap,
        Base64Map,
        QuantityMap,
    }

    /// <summary>How one field maps to JSON.</summary>
    private sealed record Spec(string Name, Kind Kind, Dictionary<int, Spec>? Message = null, bool Repeated = false, bool Keep = false);

    private static Spec Text(string name) => new(name, Kind.Text);

    private static Spec Texts(string name) => new(name, Kind.Text, Repeated: true);

    /// <summary>A number; <paramref name="pointer"/> keeps 0 (an <c>*int32</c> set to 0), else 0 is left out.</summary>
    private static Spec Number(string name, bool pointer = true) => new(name, Kind.Integer, Keep: pointer);

    private static Spec Flag(string name, bool pointer = true) => new(name, Kind.Boolean, Keep: pointer);

    private static Spec Object(string name, Dictionary<int, Spec> message) => new(name, Kind.Message, message);

    private static Spec Objects(string name, Dictionary<int, Spec> message) => new(name, Kind.Message, message, Repeated: true);

    private static readonly Dictionary<int, Spec> TypeMeta = new() { [1] = Text("apiVersion"), [2] = Text("kind") };

    private static readonly Dictionary<int, Spec> ObjectMeta = new()
    {
        [1] = Text("name"),
        [2] = Text("generateName"),
        [3] = Text("namespace"),
        [11] = new("labels", Kind.TextMap),
        [12] = new("annotations", Kind.TextMap),
        [14] = Texts("finalizers"),
    };

    private static readonly Dictionary<int, Spec> Requirement = new() { [1] = Text("key"), [2] = Text("operator"), [3] = Texts("values") };

    private static readonly Dictionary<int, Spec> Container = new()
    {
        [1] = Text("name"),
        [2] = Text("image"),
        [3] = Texts("command"),
        [4] = Texts("args"),
        [5] = Text("workingDir"),
        [6] = Objects("ports", new() { [1] = Text("name"), [2] = Number("hostPort", pointer: false), [3] = Number("containerPort", pointer: false), [4] = Text("protocol"), [5] = Text("hostIP") }),
        [7] = Objects("env", new() { [1] = Text("name"), [2] = Text("value") }),
        [8] = Object("resources", new() { [1] = new("limits", Kind.QuantityMap), [2] = new("requests", Kind.QuantityMap) }),
        [13] = Text("terminationMessagePath"),
        [14] = Text("imagePullPolicy"),
        [16] = Flag("stdin", pointer: false),
        [17] = Flag("stdinOnce", pointer: false),
        [18] = Flag("tty", pointer: false),
        [20] = Text("terminationMessagePolicy"),
        [24] = Text("restartPolicy"),
    };

    private static readonly Dictionary<int, Spec> PodSpec = new()
    {
        [2] = Objects("containers", Container),
        [3] = Text("restartPolicy"),
        [4] = Number("terminationGracePeriodSeconds"),
        [5] = Number("activeDeadlineSeconds"),
        [6] = Text("dnsPolicy"),
        [7] = new("nodeSelector", Kind.TextMap),
        [8] = Text("serviceAccountName"),
        [10] = Text("nodeName"),
        [11] = Flag("hostNetwork", pointer: false),
        [18] = Object("affinity", new()
        {
            [1] = Object("nodeAffinity", new()
            {
                [1] = Object("requiredDuringSchedulingIgnoredDuringExecution", new()
                {
                    [1] = Objects("nodeSelectorTerms", new() { [1] = Objects("matchExpressions", Requirement), [2] = Objects("matchFields", Requirement) }),
                }),
            }),
        }),
        [19] = Text("schedulerName"),
        [20] = Objects("initContainers", Container),
        [22] = Objects("tolerations", new() { [1] = Text("key"), [2] = Text("operator"), [3] = Text("value"), [4] = Text("effect"), [5] = Number("tolerationSeconds") }),
        [24] = Text("priorityClassName"),
        [25] = Number("priority"),
        [30] = Flag("enableServiceLinks"),
        [31] = Text("preemptionPolicy"),
        [32] = new("overhead", Kind.QuantityMap),
        [38] = Objects("schedulingGates", new() { [1] = Text("name") }),
    };

    private static readonly Dictionary<int, Spec> JobSpec = new()
    {
        [1] = Number("parallelism"),
        [2] = Number("completions"),
        [3] = Number("activeDeadlineSeconds"),
        [4] = Object("selector", new() { [1] = new("matchLabels", Kind.TextMap), [2] = Objects("matchExpressions", Requirement) }),
        [5] = Flag("manualSelector"),
        [6] = Object("template", new() { [1] = Object("metadata", ObjectMeta), [2] = Object("spec", PodSpec) }),
        [7] = Number("backoffLimit"),
        [8] = Number("ttlSecondsAfterFinished"),
        [9] = Text("completionMode"),
        [10] = Flag("suspend"),
        [12] = Number("backoffLimitPerIndex"),
        [13] = Number("maxFailedIndexes"),
        [14] = Text("podReplacementPolicy"),
        [15] = Text("managedBy"),
    };

    private static readonly Dictionary<int, Spec> DeleteOptions = new()
    {
        [1] = Number("gracePeriodSeconds"),
        [2] = Object("preconditions", new() { [1] = Text("uid"), [2] = Text("resourceVersion") }),
        [3] = Flag("orphanDependents"),
        [4] = Text("propagationPolicy"),
        [5] = Texts("dryRun"),
    };

    // authentication.k8s.io/v1 and authorization.k8s.io/v1: what `kubectl create token` and `kubectl auth can-i|whoami` send.
    private static readonly Dictionary<int, Spec> TokenRequestSpec = new()
    {
        [1] = Texts("audiences"),
        [3] = Object("boundObjectRef", new() { [1] = Text("kind"), [2] = Text("apiVersion"), [3] = Text("name"), [4] = Text("uid") }),
        [4] = Number("expirationSeconds"),
    };

    private static readonly Dictionary<int, Spec> SelfSubjectAccessReviewSpec = new()
    {
        [1] = Object("resourceAttributes", new()
        {
            [1] = Text("namespace"),
            [2] = Text("verb"),
            [3] = Text("group"),
            [4] = Text("version"),
            [5] = Text("resource"),
            [6] = Text("subresource"),
            [7] = Text("name"),
        }),
        [2] = Object("nonResourceAttributes", new() { [1] = Text("path"), [2] = Text("verb") }),
    };

    // rbac.authorization.k8s.io/v1: what `kubectl create role|clusterrole|rolebinding|clusterrolebinding` send.
    private static readonly Dictionary<int, Spec> PolicyRule = new()
    {
        [1] = Texts("verbs"),
        [2] = Texts("apiGroups"),
        [3] = Texts("resources"),
        [4] = Texts("resourceNames"),
        [5] = Texts("nonResourceURLs"),
    };

    private static readonly Dictionary<int, Spec> RoleBinding = new()
    {
        [1] = Object("metadata", ObjectMeta),
        [2] = Objects("subjects", new() { [1] = Text("kind"), [2] = Text("apiGroup"), [3] = Text("name"), [4] = Text("namespace") }),
        [3] = Object("roleRef", new() { [1] = Text("apiGroup"), [2] = Text("kind"), [3] = Text("name") }),
    };

    /// <summary>The kinds decoded, by apiVersion and kind.</summary>
    private static readonly Dictionary<(string ApiVersion, string Kind), Dictionary<int, Spec>> Kinds = new()
    {
        [("v1", "Namespace")] = new() { [1] = Object("metadata", ObjectMeta) },
        [("v1", "ServiceAccount")] = new() { [1] = Object("metadata", ObjectMeta) },
        [("v1", "ConfigMap")] = new()
        {
            [1] = Object("metadata", ObjectMeta),
            [2] = new("data", Kind.TextMap),
            [3] = new("binaryData", Kind.Base64Map),
            [4] = Flag("immutable"),
        },
        [("v1", "Secret")] = new()
        {
            [1] = Object("metadata", ObjectMeta),
            [2] = new("data", Kind.Base64Map),
            [3] = Text("type"),
            [4] = new("stringData", Kind.TextMap),
            [5] = Flag("immutable"),
        },
        [("batch/v1", "Job")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Object("spec", JobSpec) },
        [("policy/v1", "Eviction")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Object("deleteOptions", DeleteOptions) },
        [("rbac.authorization.k8s.io/v1", "Role")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Objects("rules", PolicyRule) },
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Objects("rules", PolicyRule) },
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = RoleBinding,
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = RoleBinding,
        [("authentication.k8s.io/v1", "TokenRequest")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Object("spec", TokenRequestSpec) },
        [("authentication.k8s.io/v1", "SelfSubjectReview")] = new() { [1] = Object("metadata", ObjectMeta) },
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Object("spec", SelfSubjectAccessReviewSpec) },
        [("authorization.k8s.io/v1", "SelfSubjectRulesReview")] = new() { [1] = Object("metadata", ObjectMeta), [2] = Object("spec", new() { [1] = Text("namespace") }) },
    };

    public static JsonObject? TryDecode(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 4 || !body.Span[..4].SequenceEqual(Magic))
        {
            return null;
        }

        // The envelope (runtime.Unknown): 1 = TypeMeta, 2 = the object's bytes.
        var obj = new JsonObject();
        ReadOnlyMemory<byte> raw = default;
        foreach (var f in Fields(body[4..]))
        {
            switch (f.Number)
            {
                case 1:
                    Read(f.Bytes, TypeMeta, obj);
                    break;
                case 2:
                    raw = f.Bytes;
                    break;
            }
        }

        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        var kind = obj["kind"]?.GetValue<string>() ?? "";
        return Kinds.TryGetValue((apiVersion, kind), out var message) ? Read(raw, message, obj) : null;
    }

    private static JsonObject Read(ReadOnlyMemory<byte> bytes, Dictionary<int, Spec> message, JsonObject target)
    {
        foreach (var f in Fields(bytes))
        {
            if (message.TryGetValue(f.Number, out var spec) && Value(spec, f) is { } value)
            {
                Set(target, spec, value);
            }
        }

        return target;
    }

    /// <summary>The JSON value of one field occurrence; null when JSON would leave it out.</summary>
    private static JsonNode? Value(Spec spec, Field f)
    {
        switch (spec.Kind)
        {
            case Kind.Text:
                var text = Encoding.UTF8.GetString(f.Bytes.Span);
                return text.Length > 0 || spec.Repeated ? text : null;
            case Kind.Integer:
                var number = (long)f.Varint;
                return number != 0 || spec.Keep ? number : null;
            case Kind.Boolean:
                return f.Varint != 0 || spec.Keep ? f.Varint != 0 : null;
            case Kind.Message:
                return Read(f.Bytes, spec.Message!, []);
            default:
                return Entry(spec.Kind, f.Bytes);
        }
    }

    private static void Set(JsonObject target, Spec spec, JsonNode value)
    {
        if (spec.Repeated)
        {
            var list = target[spec.Name] as JsonArray ?? [];
            list.Add(value);
            target[spec.Name] = list;
        }
        else if (spec.Kind is Kind.TextMap or Kind.Base64Map or Kind.QuantityMap)
        {
            // A map is repeated entries {1: key, 2: value}.
            var map = target[spec.Name] as JsonObject ?? [];
            foreach (var (key, v) in (JsonObject)value)
            {
                map[key] = v?.DeepClone();
            }

            target[spec.Name] = map;
        }
        else
        {
            target[spec.Name] = value;
        }
    }

    private static JsonObject? Entry(Kind kind, ReadOnlyMemory<byte> entry)
    {
        string? key = null;
        JsonNode? value = "";
        foreach (var f in Fields(entry))
        {
            if (f.Number == 1)
            {
                key = Encoding.UTF8.GetString(f.Bytes.Span);
            }
            else if (f.Number == 2)
            {
                value = kind switch
                {
                    Kind.Base64Map => Convert.ToBase64String(f.Bytes.Span),
                    // resource.Quantity is a message whose field 1 is its string form.
                    Kind.QuantityMap => Fields(f.Bytes).Where(q => q.Number == 1).Select(q => Encoding.UTF8.GetString(q.Bytes.Span)).FirstOrDefault() ?? "0",
                    _ => Encoding.UTF8.GetString(f.Bytes.Span),
                };
            }
        }

        return key is null ? null : new JsonObject { [key] = value };
    }

    private static List<Field> Fields(ReadOnlyMemory<byte> data)
    {
        var fields = new List<Field>();
        var span = data.Span;
        var i = 0;
        while (i < span.Length)
        {
            var key = ReadVarint(span, ref i);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(span, ref i), default));
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref i);
                    if (length < 0 || i + length > span.Length)
                    {
                        throw ApiException.BadRequest("the protobuf body is truncated");
                    }

                    fields.Add(new Field(number, wire, 0, data.Slice(i, length)));
                    i += length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"the protobuf body has an unsupported wire type {wire}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (i >= span.Length)
            {
                throw ApiException.BadRequest("the protobuf body is truncated");
            }

            var b = span[i++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw ApiException.BadRequest("the protobuf body has a malformed varint");
    }
}
