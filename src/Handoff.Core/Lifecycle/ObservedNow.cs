namespace Handoff.Core.Lifecycle;

/// <summary>
/// The time a derivation may read, noting whether it did: a result made without reading it is the same at any time, so
/// a caller may keep it while the inputs it was made from stay the same (the operator's passes keep the states and
/// reports of functions nothing changed for).
/// </summary>
public sealed class ObservedNow(DateTimeOffset value)
{
    /// <summary>The time; reading it marks <see cref="WasRead"/>.</summary>
    public DateTimeOffset Value
    {
        get
        {
            WasRead = true;
            return value;
        }
    }

    /// <summary>Whether <see cref="Value"/> was read since this was made or last <see cref="Forget"/>.</summary>
    public bool WasRead { get; private set; }

    /// <summary>Starts noting again (one instance serves a whole pass, one derivation after another).</summary>
    public void Forget() => WasRead = false;
}
