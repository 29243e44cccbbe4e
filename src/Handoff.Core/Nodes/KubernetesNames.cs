using System.Globalization;

namespace Handoff.Core.Nodes;

/// <summary>
/// The syntax rules of k8s.io/apimachinery/pkg/util/validation that selectors and resource names depend on:
/// qualified names (label keys, extended resource names), label values, DNS-1123 subdomains, and Go's
/// <c>strconv.ParseInt(s, 10, 64)</c> (the integer parse behind <c>Gt</c>/<c>Lt</c>).
/// </summary>
internal static class KubernetesNames
{
    private const int QualifiedNameMaxLength = 63;
    private const int LabelValueMaxLength = 63;
    private const int Dns1123SubdomainMaxLength = 253;

    /// <summary>
    /// <c>[prefix/]name</c>: an optional DNS-1123 subdomain prefix, then 1–63 characters of letters, digits,
    /// <c>-</c>, <c>_</c> and <c>.</c> that start and end with a letter or digit (IsQualifiedName).
    /// </summary>
    public static bool IsQualifiedName(string value)
    {
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                if (parts[0].Length == 0 || !IsDns1123Subdomain(parts[0]))
                {
                    return false;
                }

                name = parts[1];
                break;
            default:
                return false;
        }

        return name.Length is > 0 and <= QualifiedNameMaxLength && IsAlphanumericRun(name);
    }

    /// <summary>A label value: empty, or up to 63 characters of the qualified-name alphabet (IsValidLabelValue).</summary>
    public static bool IsLabelValue(string value) =>
        value.Length == 0 || (value.Length <= LabelValueMaxLength && IsAlphanumericRun(value));

    /// <summary>Lower-case RFC 1123 labels joined by dots, at most 253 characters (IsDNS1123Subdomain).</summary>
    public static bool IsDns1123Subdomain(string value)
    {
        if (value.Length is 0 or > Dns1123SubdomainMaxLength)
        {
            return false;
        }

        foreach (var label in value.Split('.'))
        {
            if (label.Length == 0 || !IsLowerAlphanumeric(label[0]) || !IsLowerAlphanumeric(label[^1]))
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!IsLowerAlphanumeric(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Go's <c>strconv.ParseInt(value, 10, 64)</c>: an optional <c>+</c> or <c>-</c>, then ASCII digits only
    /// (no spaces, no underscores), within 64 bits.
    /// </summary>
    public static bool TryParseInt64(string value, out long result) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);

    private static bool IsAlphanumericRun(string value)
    {
        if (!char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
