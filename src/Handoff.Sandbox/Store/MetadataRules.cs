using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Handoff.Sandbox.Store;

/// <summary>
/// ObjectMeta validation with the API server's messages (k8s.io/apimachinery validation): object names, label keys
/// and values, annotation keys and the 256 KiB limit on all annotations together.
/// </summary>
internal static partial class MetadataRules
{
    /// <summary>The API server's limit on the total size of an object's annotations (keys plus values, in bytes).</summary>
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    public const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    public const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    public static bool IsDns1123Label(string value) => value.Length <= 63 && Dns1123Label().IsMatch(value);

    public static void ValidateName(ResourceType t, string name, List<FieldCause> causes)
    {
        if (t.Group == "rbac.authorization.k8s.io")
        {
            if (name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal) || name is "." or "..")
            {
                causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), "may not contain '/' or '%'"));
            }

            return;
        }

        if (t.NameIsLabel)
        {
            if (name.Length > 63 || !Dns1123Label().IsMatch(name))
            {
                causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), name.Length > 63 ? "must be no more than 63 characters" : Dns1123LabelMessage));
            }
        }
        else if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), name.Length > 253 ? "must be no more than 253 characters" : Dns1123SubdomainMessage));
        }
    }

    /// <summary>Labels and annotations of <paramref name="meta"/> (the object's, or a pod template's at <paramref name="path"/>).</summary>
    public static void ValidateLabelsAndAnnotations(JsonObject? meta, string path, List<FieldCause> causes)
    {
        if (meta?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                foreach (var message in QualifiedNameErrors(key))
                {
                    causes.Add(FieldCause.Invalid($"{path}.labels", FieldCause.Quote(key), message));
                }

                var text = JsonNodes.ScalarText(value);
                if (text.Length > 63)
                {
                    causes.Add(FieldCause.Invalid($"{path}.labels", FieldCause.Quote(text), "must be no more than 63 characters"));
                }

                if (text.Length > 0 && !QualifiedNamePart().IsMatch(text))
                {
                    causes.Add(FieldCause.Invalid($"{path}.labels", FieldCause.Quote(text), LabelValueMessage));
                }
            }
        }

        if (meta?["annotations"] is JsonObject annotations)
        {
            long size = 0;
            foreach (var (key, value) in annotations)
            {
                // Annotation keys are qualified names whose case does not matter.
                foreach (var message in QualifiedNameErrors(key.ToLowerInvariant()))
                {
                    causes.Add(FieldCause.Invalid($"{path}.annotations", FieldCause.Quote(key), message));
                }

                size += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(JsonNodes.ScalarText(value));
            }

            if (size > TotalAnnotationSizeLimit)
            {
                causes.Add(new FieldCause("FieldValueTooLong", $"{path}.annotations", $"{path}.annotations: Too long: must have at most {TotalAnnotationSizeLimit} bytes"));
            }
        }
    }

    /// <summary>IsQualifiedName: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters.</summary>
    private static List<string> QualifiedNameErrors(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else if (prefix.Length > 253)
                {
                    errors.Add("prefix part must be no more than 253 characters");
                }
                else if (!Dns1123Subdomain().IsMatch(prefix))
                {
                    errors.Add("prefix part " + Dns1123SubdomainMessage);
                }

                break;
            default:
                return ["a qualified name " + QualifiedNameMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            errors.Add("name part must be no more than 63 characters");
        }

        if (!QualifiedNamePart().IsMatch(name))
        {
            errors.Add("name part " + QualifiedNameMessage);
        }

        return errors;
    }
}
