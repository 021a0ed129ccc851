// Puts a host into maintenance and waits until the server has live-migrated every running VM off it (admin).
// Stopped VMs keep their place until they are next started, when they start elsewhere.
// Usage: dotnet fsi examples/fsharp/evacuate-host.fsx HOST
#r "../../.build/client/Octopus.Contracts.dll"
#r "../../.build/client/Octopus.Client.dll"
open System
open System.Threading
open Octopus.Client

let host = match fsi.CommandLineArgs with [| _; h |] -> h | _ -> failwith "usage: evacuate-host.fsx HOST"
let octopus = OctopusClient.Connect()

let live () =
    octopus.Vms.All(VmQuery(Host = host))
    |> Seq.filter (fun v -> v.State = VmStates.Running || v.State = VmStates.Migrating || v.State = VmStates.Starting)
    |> List.ofSeq
let moving = live ()
octopus.Hosts.SetMaintenanceAsync(host, true).GetAwaiter().GetResult() |> ignore
printfn "%s is in maintenance; %d running VMs to move" host moving.Length
let deadline = DateTime.UtcNow.AddMinutes 5.0
while not (List.isEmpty (live ())) do
    if DateTime.UtcNow > deadline then failwithf "%s still has running VMs after 5 minutes" host
    Thread.Sleep 250
for v in moving do
    v.Refresh()
    printfn "%-20s now on %s" v.Name (defaultArg (Option.ofObj v.Host) "-")
printfn "%s evacuated: no running VMs left on it" host
