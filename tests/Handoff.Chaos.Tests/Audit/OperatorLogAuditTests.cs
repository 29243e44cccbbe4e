using Handoff.Chaos.Audit;

namespace Handoff.Chaos.Tests.Audit;

/// <summary>The replicas' logs: exceptions the faults explain pass, any other is caught once per type and frame.</summary>
public sealed class OperatorLogAuditTests
{
    private static string Line(string exception) =>
        System.Text.Json.JsonSerializer.Serialize(new { Timestamp = "2026-11-29T20:37:03.260Z", EventId = 301, LogLevel = "Warning", Message = "Reconcile pass failed", Exception = exception });

    [Fact]
    public void The_API_s_answers_a_lost_lease_and_cancellation_are_expected()
    {
        var lines = new[]
        {
            Line("System.AggregateException: 2 API call(s) of this pass failed (x)\n ---> k8s.Autorest.HttpOperationException: Operation returned an invalid status code 'InternalServerError'\n   at k8s.Kubernetes.SendRequest()\n   --- End of inner exception stack trace ---\n ---> (Inner Exception #1) k8s.Autorest.HttpOperationException: 429<---"),
            Line("Handoff.Operator.Infrastructure.LeaseLostException: not the leader\n   at Handoff.Operator.Infrastructure.LeadershipLoop.ThrowIfStale()"),
            Line("System.Net.Http.HttpRequestException: Error while copying content to a stream.\n ---> System.IO.IOException: reset\n ---> System.Net.Sockets.SocketException (104): Connection reset by peer"),
            Line("System.Threading.Tasks.TaskCanceledException: The operation was canceled.\n ---> System.ObjectDisposedException: Cannot access a disposed object.\n   at System.Net.Sockets.NetworkStream.WriteAsync"),
            """{"EventId":200,"LogLevel":"Information","Message":"Bound pod"}""",
        };
        Assert.Empty(OperatorLogAudit.Audit("op-a-1", lines));
    }

    [Fact]
    public void A_bug_is_caught_once_per_type_and_frame_with_its_count()
    {
        const string race = "System.ArgumentNullException: Value cannot be null. (Parameter 'key')\n   at System.Collections.Generic.Dictionary`2.Remove(TKey key)\n   at Handoff.Operator.Reconciliation.TermState.Prune";
        var lines = new[] { Line(race), Line(race), Line("System.AggregateException: 1 API call(s) failed\n ---> System.NullReferenceException: Object reference not set\n   at Handoff.Operator.Reconciliation.StatusWriter.WriteFunctionAsync") };
        var violations = OperatorLogAudit.Audit("op-a-2", lines).ToList();
        Assert.Equal(2, violations.Count);
        Assert.All(violations, v => Assert.Equal(ViolationKind.OperatorError, v.Kind));
        Assert.Contains(violations, v => v.Message.StartsWith("op-a-2 logged 2 time(s)", StringComparison.Ordinal) && v.Message.Contains("TermState.Prune", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains("NullReferenceException", StringComparison.Ordinal));
    }
}
