using System.Globalization;
using System.Text;

namespace Handoff.Sandbox.Store;

/// <summary>
/// The <c>continue</c> token of a paginated list: the resourceVersion of the list's snapshot (every page of one list is
/// served from it, as the API server serves them from one etcd revision) and the last key returned.
/// </summary>
internal static class ContinueToken
{
    public static string Encode(long rv, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rv.ToString(CultureInfo.InvariantCulture)}|{lastKey}"));

    public static (long ResourceVersion, string StartAfter) Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) && rv > 0
                ? (rv, text[(bar + 1)..])
                : throw new FormatException();
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
