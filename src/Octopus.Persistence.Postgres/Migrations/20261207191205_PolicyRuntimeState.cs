using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PolicyRuntimeState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PolicyCpuHistory",
                columns: table => new
                {
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    SubjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    Start = table.Column<long>(type: "bigint", nullable: false),
                    Samples = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyCpuHistory", x => new { x.Kind, x.SubjectId, x.Start });
                });

            migrationBuilder.CreateTable(
                name: "PolicyObservations",
                columns: table => new
                {
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    SubjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    LeaseEventFor = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyObservations", x => new { x.Kind, x.SubjectId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_PolicyCpuHistory_Start",
                table: "PolicyCpuHistory",
                column: "Start");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PolicyCpuHistory");

            migrationBuilder.DropTable(
                name: "PolicyObservations");
        }
    }
}
