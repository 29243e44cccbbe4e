using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>
/// A delete without a grace period writes the deletionTimestamp first, then removes the object; another component
/// (the pod garbage collector, for an unscheduled pod being deleted) may remove it in between. The API server
/// tolerates that race (kubernetes#19403) and answers with what it wrote; it is not a 404.
/// </summary>
public sealed class DeleteRaceTests
{
    [Fact]
    public void A_delete_whose_object_another_component_removes_first_answers_with_what_it_wrote()
    {
        var engine = new ApiEngine(TimeProvider.System, 100);
        engine.Create(engine.Builtin("", "namespaces"), null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, WriteOptions.Internal, []);
        var pods = engine.Builtin("", "pods");
        var pod = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "p" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
        };
        var created = engine.Create(pods, "default", pod, WriteOptions.Internal, []);

        // As the pod garbage collector does, on the writer's thread, as soon as the deletionTimestamp is written.
        var collected = 0;
        engine.Store.Changed += change =>
        {
            if (change.Type == WatchEventType.Modified && ObjectMeta.IsDeleting(change.Object.Node) && Interlocked.Exchange(ref collected, 1) == 0)
            {
                engine.Delete(pods, "default", "p", new DeleteOptions(GracePeriodSeconds: 0));
            }
        };

        var (answer, gone) = engine.Delete(pods, "default", "p", new DeleteOptions(GracePeriodSeconds: 0));

        Assert.Equal(1, collected);
        Assert.True(gone);
        Assert.Equal(created.Uid, answer.Uid);
        Assert.NotNull(JsonNodes.At(answer.Node, "metadata", "deletionTimestamp"));
        Assert.Null(engine.TryGet(pods, "default", "p"));
        Assert.Equal(404, Assert.Throws<ApiException>(() => engine.Delete(pods, "default", "p", new DeleteOptions(GracePeriodSeconds: 0))).Code);
    }
}
