using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommunityToolkit.HighPerformance.Buffers;
using CsCheck;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;

namespace Handoff.Operator.Tests.Controllers;

public sealed class FunctionStatusPatchTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 18, 0, 0, DateTimeKind.Utc);

    private static readonly Gen<string?> GenText = Gen.OneOfConst<string?>(null, "", "a", "b", "node-1", "pod \"x\" bound to node-1");

    // Times equal, a tick apart, microseconds apart, a second apart, and unspecified as to their zone.
    private static readonly Gen<DateTime?> GenTime = Gen.OneOfConst<DateTime?>(
        null, Now, Now.AddTicks(1), Now.AddTicks(10), Now.AddMilliseconds(1.5), Now.AddSeconds(1), DateTime.SpecifyKind(Now, DateTimeKind.Unspecified));

    // Times the client's serializer reads back as they were: whole microseconds (it writes a time of a tick past a second
    // as ".000000Z", which reads back as the whole second and is written without a fraction).
    private static readonly Gen<DateTime?> GenStoredTime = Gen.OneOfConst<DateTime?>(
        null, Now, Now.AddTicks(10), Now.AddMilliseconds(1.5), Now.AddSeconds(1), DateTime.SpecifyKind(Now, DateTimeKind.Unspecified));

    private static readonly Gen<HandoffFunctionStatus> GenStatus = StatusOf(GenTime);

    private static Gen<HandoffCondition> ConditionOf(Gen<DateTime?> time) =>
        Gen.Select(
            Gen.OneOfConst(ConditionTypes.Scheduled, ConditionTypes.Completed), Gen.OneOfConst(ConditionStatus.True, ConditionStatus.False),
            GenText, GenText, Gen.OneOfConst<long?>(null, 1, 2), time)
        .Select((type, status, reason, message, generation, time) => new HandoffCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = time,
        });

    private static Gen<HandoffFunctionStatus> StatusOf(Gen<DateTime?> time) =>
        Gen.Select(
            Gen.Select(GenText, GenText, GenText, GenText, Gen.Int[0, 2], Gen.OneOfConst<int?>(null, 1, 2)),
            Gen.Select(GenText, GenText, time, time, time),
            Gen.Select(ConditionOf(time).List[0, 3].Null(), Gen.OneOfConst<long?>(null, 1, 2)))
        .Select((a, b, c) => new HandoffFunctionStatus
        {
            Phase = a.Item1,
            Node = a.Item2,
            NominatedNode = a.Item3,
            PodName = a.Item4,
            Attempts = a.Item5,
            QueuePosition = a.Item6,
            Result = b.Item1,
            Message = b.Item2,
            RetryAfter = b.Item3,
            StartTime = b.Item4,
            CompletionTime = b.Item5,
            Conditions = c.Item1,
            ObservedGeneration = c.Item2,
        });

    private static JsonNode? Written(HandoffFunctionStatus? current, HandoffFunctionStatus desired, string? resourceVersion)
    {
        using var body = new ArrayPoolBufferWriter<byte>();
        return FunctionStatusPatch.TryWrite(current, desired, resourceVersion, body) ? JsonNode.Parse(body.WrittenSpan) : null;
    }

    private static JsonNode? Expected(HandoffFunctionStatus? current, HandoffFunctionStatus desired, string? resourceVersion) =>
        MergePatches.Diff(StatusPatches.ToJson(current), StatusPatches.ToJson(desired)) is { } patch
            ? JsonNode.Parse(MergePatches.StatusPatch(patch, resourceVersion))
            : null;

    [Fact]
    public void The_patch_is_the_json_diff_of_the_two_statuses_on_random_statuses()
    {
        Gen.Select(GenStatus.Null(), GenStatus, Gen.OneOfConst<string?>(null, "", "42")).Sample((current, desired, rv) =>
        {
            var written = Written(current, desired, rv);
            var expected = Expected(current, desired, rv);
            return JsonNode.DeepEquals(expected, written);
        }, iter: 5000);
    }

    [Fact]
    public void A_status_patched_against_a_copy_of_itself_as_the_api_server_stores_it_needs_no_write()
    {
        StatusOf(GenStoredTime).Sample(desired =>
        {
            var stored = k8s.KubernetesJson.Deserialize<HandoffFunctionStatus>(k8s.KubernetesJson.Serialize(desired));
            return Written(stored, desired, "7") is null;
        }, iter: 2000);
    }

    [Fact]
    public void Only_changed_fields_are_sent_a_dropped_one_as_null_and_conditions_whole()
    {
        var scheduled = new HandoffCondition { Type = ConditionTypes.Scheduled, Status = ConditionStatus.True, Reason = "Scheduled", LastTransitionTime = Now };
        var completed = new HandoffCondition { Type = ConditionTypes.Completed, Status = ConditionStatus.False, Reason = "NotFinished", LastTransitionTime = Now };
        var current = new HandoffFunctionStatus { Phase = "Pending", Message = "waiting for room", Attempts = 0, Conditions = [scheduled, completed] };
        var desired = new HandoffFunctionStatus
        {
            Phase = "Scheduled",
            Node = "node-1",
            PodName = "f-1",
            Attempts = 1,
            StartTime = Now,
            Conditions = [scheduled, completed],
        };

        var written = Written(current, desired, "42")!;

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"status":{"phase":"Scheduled","node":"node-1","podName":"f-1","attempts":1,"message":null,"startTime":"2026-12-02T18:00:00Z"},
                 "metadata":{"resourceVersion":"42"}}
                """),
            written), written.ToJsonString());

        desired.Conditions = [scheduled, new HandoffCondition { Type = ConditionTypes.Completed, Status = ConditionStatus.True, Reason = "Succeeded", LastTransitionTime = Now }];
        var conditions = Written(current, desired, null)!["status"]!["conditions"]!.AsArray();
        Assert.Equal(2, conditions.Count);
        Assert.Equal("Succeeded", conditions[1]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void From_no_status_every_field_the_desired_status_has_is_sent()
    {
        var desired = new HandoffFunctionStatus { Phase = "Pending", Attempts = 0 };

        var written = Written(null, desired, null)!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"status":{"phase":"Pending","attempts":0}}"""), written), written.ToJsonString());
    }

    [Fact]
    public void Every_field_of_the_status_is_in_the_patch_so_a_new_one_cannot_be_left_out()
    {
        var desired = new HandoffFunctionStatus();
        var fields = new List<string>();
        foreach (var property in typeof(HandoffFunctionStatus).GetProperties())
        {
            fields.Add(property.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            property.SetValue(desired, type == typeof(string) ? "x"
                : type == typeof(int) ? 1
                : type == typeof(long) ? 1L
                : type == typeof(DateTime) ? Now
                : type == typeof(IList<HandoffCondition>) ? new List<HandoffCondition> { new() { Type = ConditionTypes.Scheduled } }
                : throw new InvalidOperationException($"a status field of a type this test does not fill: {property.Name}"));
        }

        var written = Written(new HandoffFunctionStatus(), desired, null)!["status"]!.AsObject();

        Assert.Equal(fields.Order(StringComparer.Ordinal), written.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Times_are_compared_as_the_serializer_writes_them()
    {
        Assert.True(FunctionStatusPatch.ReadAlike(Now, Now));
        Assert.False(FunctionStatusPatch.ReadAlike(Now, Now.AddSeconds(1)));
        var sameText = JsonSerializer.Serialize(Now, KubernetesJsonOptions.Value) == JsonSerializer.Serialize(Now.AddTicks(1), KubernetesJsonOptions.Value);
        Assert.Equal(sameText, FunctionStatusPatch.ReadAlike(Now, Now.AddTicks(1)));
    }
}
