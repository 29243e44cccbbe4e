using Handoff.Core.Lifecycle;

namespace Handoff.Core.Scheduling;

/// <summary>Where a gang member stands, for the gang's bookkeeping.</summary>
public enum GangMemberState
{
    /// <summary>Not placed yet: waiting for its args, ready, or pending.</summary>
    Unplaced,

    /// <summary>Holds capacity now, or ran and succeeded: it counts towards <c>minMembers</c>.</summary>
    Placed,

    /// <summary>Failed, or can never run (a failed dependency, a cycle).</summary>
    Failed,
}

/// <summary>One function of a gang: its id, its gang's key (<c>namespace/name</c>), the minMembers it declares, its state.</summary>
public sealed record GangMember(string Id, string Gang, int MinMembers, GangMemberState State);

/// <summary>
/// The gangs of a set of functions (api.md, "Queues", rule 3), shared by the operator and the planner: each gang's
/// <c>minMembers</c> (the largest any member declares), how many members were placed before (they count as ready),
/// and the members that must fail with <c>GangFailed</c> because too many others can never run — every unplaced member
/// of a gang whose members that have not failed are fewer than <c>minMembers</c>.
/// </summary>
public sealed class GangBook
{
    private readonly Dictionary<string, (int MinMembers, int Members, int Placed, List<string> Failed)> _gangs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);

    public GangBook(IEnumerable<GangMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var all = members.ToList();
        foreach (var m in all)
        {
            var g = _gangs.TryGetValue(m.Gang, out var known) ? known : (MinMembers: 0, Members: 0, Placed: 0, Failed: new List<string>());
            g.MinMembers = Math.Max(g.MinMembers, m.MinMembers);
            g.Members++;
            g.Placed += m.State == GangMemberState.Placed ? 1 : 0;
            if (m.State == GangMemberState.Failed)
            {
                g.Failed.Add(m.Id);
            }

            _gangs[m.Gang] = g;
        }

        foreach (var m in all.Where(m => m.State == GangMemberState.Unplaced))
        {
            var g = _gangs[m.Gang];
            if (g.Failed.Count > 0 && g.Members - g.Failed.Count < g.MinMembers)
            {
                g.Failed.Sort(StringComparer.Ordinal);
                _failures[m.Id] = Messages.GangFailed(ObjectKeys.NameOf(m.Gang), g.Failed, g.MinMembers, g.Members);
            }
        }
    }

    public static GangBook Empty { get; } = new([]);

    /// <summary>The gang's minMembers (the largest its members declare); 0 for an unknown gang.</summary>
    public int MinMembers(string gang) => _gangs.TryGetValue(gang, out var g) ? g.MinMembers : 0;

    /// <summary>Members that hold capacity or succeeded.</summary>
    public int Placed(string gang) => _gangs.TryGetValue(gang, out var g) ? g.Placed : 0;

    /// <summary>The <c>GangFailed</c> message of an unplaced member whose gang can no longer be placed; null otherwise.</summary>
    public string? FailureOf(string id) => _failures.GetValueOrDefault(id);

    /// <summary>The gang's reference for a member's workload.</summary>
    public GangRef RefOf(string gang) => new(gang, MinMembers(gang));
}
