namespace Handoff.Api.Crds;

/// <summary>
/// The regular expressions the CRD schemas enforce. They are written for both RE2 (the API server) and .NET
/// (JsonSchema.Net in the sandbox and tests): anchors, classes, groups and quantifiers only.
/// </summary>
public static class CrdPatterns
{
    /// <summary>A DNS-1123 label (max 63 characters, checked separately): names of functions in the same namespace.</summary>
    public const string Dns1123Label = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>A DNS-1123 subdomain (max 253 characters): names of HandoffNodes and Kubernetes Nodes.</summary>
    public const string Dns1123Subdomain = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>
    /// A resource name: an optional DNS-subdomain prefix and <c>/</c>, then a name of letters, digits, <c>-</c>,
    /// <c>_</c>, <c>.</c> of at most 63 characters that starts and ends with a letter or digit (the shape of a
    /// Kubernetes qualified name):
    /// <c>cpu</c>, <c>memory</c>, <c>nvidia.com/gpu</c>, <c>specialized_hardware</c>.
    /// </summary>
    public const string ResourceName =
        "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

    /// <summary>
    /// A non-negative Kubernetes quantity (the API server's own quantity pattern without the minus sign):
    /// <c>2</c>, <c>500m</c>, <c>16Gi</c>, <c>4000</c>, <c>1e3</c>, <c>0.5</c>.
    /// </summary>
    public const string Quantity =
        "^\\+?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    /// <summary>
    /// A Kubernetes quantity greater than zero: <see cref="Quantity"/> with a non-zero digit in the number
    /// (<c>1</c>, <c>0.5</c>, <c>250m</c>; not <c>0</c>, <c>0.0</c>, <c>0m</c>).
    /// </summary>
    public const string PositiveQuantity =
        "^\\+?(([0-9]*[1-9][0-9]*(\\.[0-9]*)?)|([0-9]*\\.[0-9]*[1-9][0-9]*))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    /// <summary>The message of the CEL rule that checks the names of a resource map.</summary>
    public const string ResourceNameMessage =
        "resource names are an optional DNS-subdomain prefix and '/', then letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. cpu, nvidia.com/gpu, specialized_hardware)";

    /// <summary>A label value (max 63 characters, may be empty).</summary>
    public const string LabelValue = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

    /// <summary>A Kubernetes qualified name (the shape of a label key or a condition type).</summary>
    public const string QualifiedName = ResourceName;

    /// <summary>
    /// Most entries a resource map (capacity, cost, allocated, available) may hold. Bounds the API server's CEL cost
    /// estimate of the key rule; shipped CRDs with the same rule use 8 (Gateway API) to 16.
    /// </summary>
    public const int MaxResources = 16;

    /// <summary>Longest quantity string.</summary>
    public const int MaxQuantityLength = 64;

    /// <summary>Most entries a nodeSelector (or a label selector's matchLabels) may hold.</summary>
    public const int MaxSelectorEntries = 32;

    /// <summary>The longest label key or condition type (a 253-character prefix, '/', a 63-character name).</summary>
    public const int MaxQualifiedNameLength = 316;
}
