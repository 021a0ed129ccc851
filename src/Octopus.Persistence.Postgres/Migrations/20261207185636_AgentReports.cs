using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AgentReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Report",
                table: "Agents",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReportGeneration",
                table: "Agents",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Report",
                table: "Agents");

            migrationBuilder.DropColumn(
                name: "ReportGeneration",
                table: "Agents");
        }
    }
}
