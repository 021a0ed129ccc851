// Stops every running VM that carries a tag: the for-each a GUI expresses badly, one call per VM.
// Usage: dotnet fsi examples/fsharp/bulk-stop-by-tag.fsx TAG      (server and token: OCTOPUS_URL/OCTOPUS_TOKEN or `octopus login`)
#r "../../.build/client/Octopus.Contracts.dll"
#r "../../.build/client/Octopus.Client.dll"
open Octopus.Client

let tag = match fsi.CommandLineArgs with [| _; t |] -> t | _ -> failwith "usage: bulk-stop-by-tag.fsx TAG"
let octopus = OctopusClient.Connect()

let vms = octopus.Vms.All(VmQuery(Tag = tag)) |> Seq.filter (fun v -> v.State = VmStates.Running) |> List.ofSeq
vms |> Seq.iter (fun v -> v.Stop())
// The same in one request: octopus.Vms.BulkAsync("stop", VmSelector(Tag = tag))
vms |> Seq.iter (fun v -> v.WaitUntilSettled())
for v in vms do printfn "%-20s %s" v.Name v.State
printfn "stopped %d VMs tagged %s" (vms |> Seq.filter (fun v -> v.State = VmStates.Stopped) |> Seq.length) tag
