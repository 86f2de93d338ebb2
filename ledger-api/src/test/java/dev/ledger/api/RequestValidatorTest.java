package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.Money;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Currency;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RequestValidatorTest {

    private static JsonNode json(String text) {
        Validated<JsonNode> node = ApiJson.readObject(text.getBytes(StandardCharsets.UTF_8));
        assertThat(node.errors()).as("test input must be a JSON object").isEmpty();
        return node.value();
    }

    private static List<String> badFields(Validated<?> result) {
        return result.errors().stream().map(FieldError::field).toList();
    }

    private static String transferWithAmount(String amount) {
        return """
                {"transferId":"t-1","debitAccountId":"alice","creditAccountId":"bob","amount":%s,"currency":"EUR"}"""
                .formatted(amount);
    }

    @Test
    void given_a_full_valid_account_when_validated_then_every_attribute_is_kept() {
        var result = RequestValidator.openAccount(json("""
                {"accountId":"alice","currency":"EUR","overdraftLimit":500,"unlimitedOverdraft":false,
                 "metadata":{"customer":"c-17"}}"""));

        assertThat(result.errors()).isEmpty();
        assertThat(result.value()).isEqualTo(new OpenAccountRequest("alice", Currency.getInstance("EUR"), 500, false,
                Map.of("customer", "c-17")));
    }

    @Test
    void given_only_a_currency_when_an_account_is_validated_then_the_defaults_apply() {
        var result = RequestValidator.openAccount(json("{\"currency\":\"JPY\"}"));

        assertThat(result.value()).isEqualTo(new OpenAccountRequest(null, Currency.getInstance("JPY"), 0, false, Map.of()));
    }

    @Test
    void given_many_bad_fields_when_an_account_is_validated_then_each_one_is_named() {
        var result = RequestValidator.openAccount(json("""
                {"accountId":"-bad","currency":"eur","overdraftLimit":-1,"unlimitedOverdraft":"yes","metadata":[]}"""));

        assertThat(badFields(result)).containsExactly("accountId", "currency", "overdraftLimit", "unlimitedOverdraft",
                "metadata");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"XYZ\"", "\"EURO\"", "\"eur\"", "978", "null"})
    void given_a_currency_that_is_not_iso_4217_when_validated_then_it_is_refused(String currency) {
        var result = RequestValidator.openAccount(json("{\"currency\":" + currency + "}"));

        assertThat(badFields(result)).containsExactly("currency");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"2500\"", "2.5", "2.0", "2e3", "-1", "0", "9007199254740992", "99999999999999999999",
            "-99999999999999999999", "true", "null", "{}"})
    void given_an_amount_that_is_not_a_positive_safe_integer_when_validated_then_it_is_refused(String amount) {
        var result = RequestValidator.transfer(json(transferWithAmount(amount)), false);

        assertThat(badFields(result)).containsExactly("amount");
    }

    @Test
    void given_the_largest_safe_integer_when_validated_then_it_is_accepted() {
        var result = RequestValidator.transfer(json(transferWithAmount(Long.toString(Money.MAX_AMOUNT))), false);

        assertThat(result.errors()).isEmpty();
        assertThat(result.value().amountMinor()).isEqualTo(Money.MAX_AMOUNT);
    }

    @Test
    void given_a_missing_amount_when_validated_then_it_is_required() {
        var result = RequestValidator.transfer(json("""
                {"debitAccountId":"alice","creditAccountId":"bob","currency":"EUR"}"""), false);

        assertThat(result.errors()).containsExactly(new FieldError("amount", "is required"));
    }

    @Test
    void given_the_same_debit_and_credit_account_when_validated_then_the_credit_side_is_named() {
        var result = RequestValidator.transfer(json("""
                {"debitAccountId":"alice","creditAccountId":"alice","amount":1,"currency":"EUR"}"""), false);

        assertThat(badFields(result)).containsExactly("creditAccountId");
    }

    @Test
    void given_an_empty_transfer_when_validated_then_every_required_field_is_named_at_once() {
        var result = RequestValidator.transfer(json("{}"), true);

        assertThat(badFields(result)).containsExactly("transferId", "debitAccountId", "creditAccountId", "amount",
                "currency");
    }

    @Test
    void given_metadata_with_a_non_string_value_when_validated_then_that_entry_is_named() {
        var result = RequestValidator.transfer(json("""
                {"debitAccountId":"a","creditAccountId":"b","amount":1,"currency":"EUR",
                 "reference":7,"metadata":{"ok":"yes","n":1}}"""), false);

        assertThat(badFields(result)).containsExactly("reference", "metadata.n");
    }

    @Test
    void given_more_than_sixteen_metadata_entries_when_validated_then_they_are_refused() {
        var entries = new StringBuilder();
        for (int i = 0; i < 17; i++) entries.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        var result = RequestValidator.openAccount(json("{\"currency\":\"EUR\",\"metadata\":{" + entries + "}}"));

        assertThat(badFields(result)).containsExactly("metadata");
    }

    @Test
    void given_an_overdraft_limit_with_a_fraction_when_validated_then_it_is_refused() {
        var result = RequestValidator.openAccount(json("{\"currency\":\"EUR\",\"overdraftLimit\":10.0}"));

        assertThat(badFields(result)).containsExactly("overdraftLimit");
    }

    @Test
    void given_ids_at_the_edges_of_the_pattern_when_validated_then_only_valid_ones_pass() {
        assertThat(RequestValidator.pathId("accountId", "a").isValid()).isTrue();
        assertThat(RequestValidator.pathId("accountId", "acc:eur.main_1-x").isValid()).isTrue();
        assertThat(RequestValidator.pathId("accountId", "a".repeat(64)).isValid()).isTrue();
        assertThat(RequestValidator.pathId("accountId", "a".repeat(65)).isValid()).isFalse();
        assertThat(RequestValidator.pathId("accountId", "_a").isValid()).isFalse();
        assertThat(RequestValidator.pathId("accountId", "a b").isValid()).isFalse();
        assertThat(RequestValidator.pathId("accountId", "a,b").isValid()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1]", "\"text\"", "42", "{\"a\":1} trailing", "{\"a\":1,\"a\":2}"})
    void given_a_body_that_is_not_one_json_object_when_read_then_the_body_is_named(String body) {
        var result = ApiJson.readObject(body.getBytes(StandardCharsets.UTF_8));

        assertThat(badFields(result)).containsExactly("body");
    }

    @Test
    void given_a_batch_when_validated_then_its_size_is_bounded() {
        assertThat(badFields(RequestValidator.batch(json("{}")))).containsExactly("transfers");
        assertThat(badFields(RequestValidator.batch(json("{\"transfers\":{}}")))).containsExactly("transfers");
        assertThat(badFields(RequestValidator.batch(json("{\"transfers\":[]}")))).containsExactly("transfers");
        String tooMany = "{\"transfers\":[" + "{},".repeat(1000) + "{}]}";
        assertThat(badFields(RequestValidator.batch(json(tooMany)))).containsExactly("transfers");
        assertThat(RequestValidator.batch(json("{\"transfers\":[{},1]}")).value()).hasSize(2);
    }

    // --- unknown fields

    @Test
    void given_a_field_the_ledger_does_not_know_when_a_transfer_is_validated_then_it_is_refused_by_name() {
        var result = RequestValidator.transfer(json("""
                {"debitAccountId":"alice","creditAccountId":"bob","amount":1,"currency":"EUR","pending":true}"""), false);

        assertThat(result.errors()).containsExactly(new FieldError("pending", "is not a field of this request"));
    }

    @Test
    void given_unknown_fields_when_an_account_or_a_batch_is_validated_then_each_is_named() {
        assertThat(badFields(RequestValidator.openAccount(json("""
                {"currency":"EUR","overdraft":5,"someFutureField":[1,2]}""")))).containsExactly("overdraft", "someFutureField");
        assertThat(badFields(RequestValidator.batch(json("""
                {"transfers":[{}],"atomic":true}""")))).containsExactly("atomic");
        assertThat(badFields(RequestValidator.batch(json("""
                {"transfer":[{}]}""")))).containsExactly("transfers", "transfer");
    }

    @Test
    void given_an_unknown_field_whose_name_is_not_acceptable_text_when_validated_then_the_body_is_named_without_it() {
        var result = RequestValidator.transfer(json("""
                {"debitAccountId":"alice","creditAccountId":"bob","amount":1,"currency":"EUR","x\\ud800":1}"""), false);

        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("body");
            assertThat(e.reason()).contains("unpaired surrogate (U+D800)");
        });
    }

    // --- text

    @ParameterizedTest
    @ValueSource(strings = {"bad\\u0000ref", "\\u0007", "line\\nbreak", "\\u009b[2J", "lone \\ud800", "\\udfff",
            "\\ufffe", "\\ufdd0", "\\ud83f\\udfff"})
    void given_a_reference_with_a_refused_character_when_validated_then_the_reference_is_named(String escaped) {
        var result = RequestValidator.transfer(json(transferWithReference(escaped)), false);

        assertThat(badFields(result)).containsExactly("reference");
        assertThat(result.errors().get(0).reason()).startsWith("contains ");
    }

    @Test
    void given_emoji_combining_marks_and_format_characters_when_validated_then_they_are_kept_exactly() {
        String reference = "\ud83d\udc68\u200d\ud83d\udc69 e\u0301 \u05e9\u200f";
        var result = RequestValidator.transfer(json("""
                {"debitAccountId":"alice","creditAccountId":"bob","amount":1,"currency":"EUR",
                 "reference":"%s","metadata":{"cafe\\u0301":"\\ud83d\\ude00"}}""".formatted(reference)), false);

        assertThat(result.errors()).isEmpty();
        assertThat(result.value().reference()).isEqualTo(reference);
        assertThat(result.value().metadata()).containsExactly(Map.entry("cafe\u0301", "\ud83d\ude00"));
    }

    @Test
    void given_references_at_the_length_bound_when_validated_then_code_points_are_counted() {
        String emoji = "\ud83d\ude00";
        var longest = RequestValidator.transfer(json(transferWithReference(emoji.repeat(512))), false);
        var tooLong = RequestValidator.transfer(json(transferWithReference("a".repeat(513))), false);

        assertThat(longest.errors()).isEmpty();
        assertThat(tooLong.errors()).containsExactly(
                new FieldError("reference", "must be at most 512 characters (Unicode code points)"));
    }

    @Test
    void given_metadata_with_a_refused_key_or_value_when_validated_then_the_entry_is_named_and_a_bad_key_is_not_echoed() {
        var result = RequestValidator.openAccount(json("""
                {"currency":"EUR","metadata":{"note":"a\\u0000b","k\\u0000":"v","n\\u0001":1}}"""));

        assertThat(result.errors()).extracting(FieldError::field).containsExactly("metadata.note", "metadata", "metadata");
        assertThat(result.errors().get(1).reason()).startsWith("a key contains a control character (U+0000)");
    }

    @Test
    void given_a_control_character_in_an_id_or_a_currency_when_validated_then_the_reason_names_it() {
        var result = RequestValidator.transfer(json("""
                {"transferId":"t\\u0000","debitAccountId":"alice","creditAccountId":"bob","amount":1,"currency":"E\\u0000R"}"""),
                false);

        String nul = "contains a control character (U+0000) at character 1 (counting code points from 0)";
        assertThat(result.errors()).containsExactly(new FieldError("transferId", nul), new FieldError("currency", nul));
    }

    private static String transferWithReference(String reference) {
        return """
                {"debitAccountId":"alice","creditAccountId":"bob","amount":1,"currency":"EUR","reference":"%s"}"""
                .formatted(reference);
    }
}
