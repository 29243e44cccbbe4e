namespace Handoff.Api.Crds;

/// <summary>
/// Validation for one property of a custom resource type, read by <see cref="CrdGenerator"/> when it turns the C#
/// model into the CRD's OpenAPI v3 schema. Unset members add nothing. The property's documentation is its XML doc
/// comment (<c>&lt;summary&gt;</c>), which becomes the schema's <c>description</c> and the field's entry in docs/api.md.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class CrdSchemaAttribute : Attribute
{
    /// <summary>Marker for "not set" on integer members.</summary>
    public const long Unset = long.MinValue;

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

    /// <summary>Default applied by the API server when the property is absent (a string or an integer).</summary>
    public object? Default { get; set; }

    /// <summary>Maps: minimum number of entries.</summary>
    public long MinProperties { get; set; } = Unset;

    /// <summary>Maps: maximum number of entries (also bounds the API server's CEL cost estimate of rules over the keys).</summary>
    public long MaxProperties { get; set; } = Unset;

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

    /// <summary>A schema written by hand for the property instead of the one of its C# type (<see cref="CrdShapes"/>).</summary>
    public CrdShape Shape { get; set; }
}

/// <summary>Schemas <see cref="CrdGenerator"/> writes by hand instead of deriving them from the C# type.</summary>
public enum CrdShape
{
    /// <summary>Derived from the C# type.</summary>
    None,

    /// <summary>Resource name to quantity: keys checked by a CEL rule, values integers or quantity strings, at most 16 entries.</summary>
    QuantityMap,

    /// <summary>A quantity greater than zero, as an integer or a string.</summary>
    PositiveQuantity,

    /// <summary>A PodTemplateSpec, checked as far as a structural schema can (containers with name and image) and otherwise kept.</summary>
    PodTemplate,

    /// <summary>A metav1.LabelSelector: matchLabels and matchExpressions.</summary>
    LabelSelector,
}

/// <summary>An <c>x-kubernetes-validations</c> rule on the schema of the class it marks (a spec type, or the resource root).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class CrdRuleAttribute(string rule) : Attribute
{
    /// <summary>The CEL expression; <c>self</c> is the object.</summary>
    public string Rule { get; } = rule;

    /// <summary>What the API server says when the rule fails.</summary>
    public string? Message { get; set; }

    /// <summary>The field the error is reported on, relative to the object (<c>.metadata.name</c>).</summary>
    public string? FieldPath { get; set; }
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

    /// <summary>
    /// When set, <c>metadata.name</c> is declared in the schema and limited to this many characters by a CEL rule
    /// reported on <c>metadata.name</c> with <see cref="NameMessage"/> (e.g. names that become label values).
    /// </summary>
    public int MaxNameLength { get; set; }

    /// <summary>The message of the <see cref="MaxNameLength"/> rule.</summary>
    public string? NameMessage { get; set; }
}
