namespace Handoff.Api.Manifests;

/// <summary>
/// The line on which each field of a manifest object was written, keyed by the field path in the API server's
/// notation (<c>spec.cost.cpu</c>, <c>spec.args[0]</c>; the object itself is <c>""</c>).
/// </summary>
public sealed class FieldLines
{
    private readonly Dictionary<string, int> _lines;

    internal FieldLines(Dictionary<string, int> lines) => _lines = lines;

    /// <summary>No positions: every field is at <paramref name="line"/>.</summary>
    public static FieldLines At(int line) => new(new Dictionary<string, int>(StringComparer.Ordinal) { [""] = line });

    /// <summary>The line of the object itself.</summary>
    public int Object => _lines.GetValueOrDefault("", 1);

    /// <summary>The line of <paramref name="fieldPath"/>, else of its nearest enclosing field that has one, else of the object.</summary>
    public int Of(string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(fieldPath);
        for (var path = fieldPath; ; path = Parent(path))
        {
            if (_lines.TryGetValue(path, out var line))
            {
                return line;
            }

            if (path.Length == 0)
            {
                return Object;
            }
        }
    }

    /// <summary>The lines of the fields under <paramref name="prefix"/> (e.g. <c>items[2]</c>), re-rooted there.</summary>
    internal FieldLines Under(string prefix)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal) { [""] = Of(prefix) };
        foreach (var (path, line) in _lines)
        {
            if (path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path[prefix.Length] is '.' or '[')
            {
                lines[path[prefix.Length] == '.' ? path[(prefix.Length + 1)..] : path[prefix.Length..]] = line;
            }
        }

        return new FieldLines(lines);
    }

    /// <summary><c>spec.args[0]</c> → <c>spec.args</c> → <c>spec</c> → <c>""</c>.</summary>
    private static string Parent(string path)
    {
        if (path.EndsWith(']'))
        {
            return path[..path.LastIndexOf('[')];
        }

        var dot = path.LastIndexOf('.');
        var bracket = path.LastIndexOf(']');
        return dot > bracket ? path[..dot] : bracket >= 0 ? path[..(bracket + 1)] : "";
    }

    /// <summary>The child path of a map key or property: <c>spec</c> + <c>cost</c> → <c>spec.cost</c>.</summary>
    internal static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>The child path of a list item: <c>spec.args</c> + 0 → <c>spec.args[0]</c>.</summary>
    internal static string Item(string path, int index) => $"{path}[{index}]";
}
