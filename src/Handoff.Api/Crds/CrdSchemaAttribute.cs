namespace Handoff.Api.Crds;

/// <summary>
/// Validation and documentation for one property of a custom resource type, read by <see cref="CrdGenerator"/>
/// when it turns the C# model into the CRD's OpenAPI v3 schema. Unset members add nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class CrdSchemaAttribute : Attribute
{
    /// <summary>Marker for "not set" on integer members.</summary>
    public const long Unset = long.MinValue;

    /// <summary>Text shown by <c>kubectl explain</c>.</summary>
    public string? Description { get; set; }

    /// <summary>The property must be present (added to the parent's <c>required</c>).</summary>
    public bool Required { get; set; }

    /// <summary>Regular expression for a string (RE2-compatible: no look-around, no back-references).</summary>
    public string? Pattern { get; set; }

    public long MinLength { get; set; } = Unset;

    public long MaxLength { get; set; } = Unset;

    public long Minimum { get; set; } = Unset;

    public long Maximum { get; set; } = Unset;

    /// <summary>The allowed values of a string.</summary>
    public string[]? Enum { get; set; }

    /// <summary>Default applied by the API server when the property is absent (integer properties only).</summary>
    public long Default { get; set; } = Unset;

    /// <summary>Maps: minimum number of entries.</summary>
    public long MinProperties { get; set; } = Unset;

    /// <summary>Maps: maximum number of entries (also bounds the CEL cost of <see cref="KeyPattern"/>).</summary>
    public long MaxProperties { get; set; } = Unset;

    /// <summary>
    /// Maps: regular expression every key must match. Structural schemas forbid <c>propertyNames</c>, so this becomes
    /// a CEL rule <c>self.all(k, k.matches('...'))</c> in <c>x-kubernetes-validations</c>.
    /// </summary>
    public string? KeyPattern { get; set; }

    /// <summary>Maps: the message of the CEL key rule.</summary>
    public string? KeyMessage { get; set; }

    /// <summary>Maps: regular expression for every value.</summary>
    public string? ValuePattern { get; set; }

    /// <summary>Maps: maximum length of every value.</summary>
    public long ValueMaxLength { get; set; } = Unset;

    /// <summary>Lists: maximum number of items.</summary>
    public long MaxItems { get; set; } = Unset;

    /// <summary>Lists: regular expression for every item.</summary>
    public string? ItemPattern { get; set; }

    /// <summary>Lists: maximum length of every item.</summary>
    public long ItemMaxLength { get; set; } = Unset;

    /// <summary>Lists of objects: <c>x-kubernetes-list-type: map</c> keyed by this item property.</summary>
    public string? ListMapKey { get; set; }

    /// <summary>
    /// The value is kept as the user wrote it: the schema becomes
    /// <c>{type: object, x-kubernetes-preserve-unknown-fields: true}</c> and the C# type is not expanded
    /// (used for the pod template, whose full schema is huge and validated by the API server when the pod is created).
    /// </summary>
    public bool PreserveUnknownFields { get; set; }
}

/// <summary>A column shown by <c>kubectl get</c> (<c>additionalPrinterColumns</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class CrdPrinterColumnAttribute(string name, string type, string jsonPath) : Attribute
{
    public string Name { get; } = name;

    /// <summary>string, integer, number, boolean or date.</summary>
    public string Type { get; } = type;

    public string JsonPath { get; } = jsonPath;

    public string? Description { get; set; }

    /// <summary>0 = always shown; higher = only with <c>-o wide</c>.</summary>
    public int Priority { get; set; }

    /// <summary>Order among the columns.</summary>
    public int Order { get; set; }
}

/// <summary>Marks a type as the root of a custom resource and names it.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CrdResourceAttribute(string plural, string singular, string scope) : Attribute
{
    public string Plural { get; } = plural;

    public string Singular { get; } = singular;

    /// <summary>Cluster or Namespaced.</summary>
    public string Scope { get; } = scope;

    public string[] ShortNames { get; set; } = [];

    public string[] Categories { get; set; } = [];

    /// <summary>Description of the whole resource.</summary>
    public string? Description { get; set; }
}
