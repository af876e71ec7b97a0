using System.Text.Json;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Api.Org;
using Supervision.Domain.Cases;
using Supervision.Orchestrations;

namespace Supervision.Api.Platform;

/// <summary>
/// Operations that repair what activities write: read-model rows rewritten from each instance's recorded state (the
/// version guard keeps a newer row), and failed effects run again by their ids (each effect is idempotent by its id).
/// </summary>
public sealed class ReadModelRebuilder(DecisionStore store, ReadModelWriter writer, Activities activities, OrchestrationStorage storage, OrgService orgs, TimeProvider clock)
{
    public async Task<int> RebuildAsync(string type, CancellationToken ct)
    {
        if (type != CaseDecider.Type)
        {
            return 0;
        }

        var org = await orgs.GetAsync(ct);
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var rows = 0;
        await foreach (var (id, _) in store.ListAsync(type, ct))
        {
            if (await store.GetAsync(type, id, ct) is not { } snapshot)
            {
                continue;
            }

            var state = JsonSerializer.Deserialize<CaseState>(snapshot.StateJson, CaseJson.Options)!;
            var partition = state.ResponsibleUnitId ?? state.RegisteredBy;
            if (partition is not null)
            {
                // Same version as the effect that last wrote it: a rebuild fills gaps and never regresses a row.
                await writer.UpsertAsync(CaseRow.Model, partition, id, snapshot.Version, CaseRow.Values(org, state, now), ct);
                rows++;
            }

            // The repeat analysis's rows (one per petition), from the same state and with the same version.
            foreach (var (pk, rk, values) in PetitionRow.Of(state))
            {
                await writer.UpsertAsync(PetitionRow.Model, pk, rk, snapshot.Version, values, ct);
            }
        }

        return rows;
    }

    public async Task<int> ResendFailedEffectsAsync(CancellationToken ct)
    {
        var table = await storage.EffectFailuresAsync();
        var resent = 0;
        await foreach (var e in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            var effect = new EffectEnvelope(e.GetString("EffectId") ?? "", e.GetString("Kind") ?? "", e.GetString("Data") ?? "");
            var source = Keys.Unescape(e.PartitionKey);
            var instance = e.GetString("SourceInstanceId") ?? "";
            switch (effect.Kind)
            {
                case EffectKinds.Alert:
                    await activities.DeliverAlertAsync(new AlertDispatch(effect.Id, source, instance, effect), ct);
                    break;
                case EffectKinds.Send:
                    var send = EffectCodec.DecodeSend(effect.Data);
                    await activities.DeliverMessageAsync(new MessageDispatch(send.TargetType, send.TargetInstanceId,
                        new CommandEnvelope(effect.Id, source + ":" + instance, clock.GetUtcNow(), send.Command.GetRawText())), ct);
                    break;
                default:
                    await activities.WriteReadModelAsync(effect, ct);
                    break;
            }

            await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, e.ETag, ct);
            resent++;
        }

        return resent;
    }
}
