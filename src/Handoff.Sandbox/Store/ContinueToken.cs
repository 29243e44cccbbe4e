using System.Globalization;
using System.Text;

namespace Handoff.Sandbox.Store;

/// <summary>The <c>continue</c> token of a paginated list: the list's resourceVersion and the last key returned.</summary>
internal static class ContinueToken
{
    public static string Encode(long rv, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rv.ToString(CultureInfo.InvariantCulture)}|{lastKey}"));

    public static string Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return bar < 0 ? throw new FormatException() : text[(bar + 1)..];
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
